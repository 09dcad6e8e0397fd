package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/store/postgres"
)

// config is everything `openswf serve` can be told.
type config struct {
	Listen    string
	Store     string
	Region    string
	AccountID string
	LogLevel  string
	LogFormat string // "text" or "json"
	Metrics   string // "on" (collect, serve /metrics) or "off"
	// MetricsListen is where /metrics is served; empty: on Listen.
	MetricsListen   string
	MaxRequestBytes int64
	ShutdownTimeout time.Duration
	LongPoll        time.Duration
	DebugListen     string
	// Console is "on" (the web console at /console/) or "off".
	Console string
	// Auth is "none" or "sigv4"; empty means none while every listener
	// is loopback, and a refusal to start otherwise.
	Auth       string
	Principals string
	Insecure   bool
	// Throttle is "on" or "off"; empty means on with sigv4, off without.
	Throttle         string
	ThrottleSettings string
	TLSCert, TLSKey  string
	// SweepInterval and SweepBatch pace the retention sweeper: how often
	// it looks for closed runs past their domain's retention, and how many
	// runs one deletion transaction takes at most.
	SweepInterval time.Duration
	SweepBatch    int
	// HistoryCacheMiB bounds the history cache, in MiB (0: none).
	HistoryCacheMiB int
	// Limits are SWF's quotas, SWF's values by default.
	Limits service.Limits
	// Postgres are the PostgreSQL store's pool settings (ignored on
	// SQLite).
	Postgres postgres.Options
}

func defaultConfig() config {
	return config{
		Listen:          "127.0.0.1:7930",
		Store:           "sqlite:data/openswf.db",
		Region:          "us-east-1",
		AccountID:       "123456789012",
		LogLevel:        "info",
		LogFormat:       "text",
		Metrics:         "on",
		MaxRequestBytes: 1 << 20,
		ShutdownTimeout: 10 * time.Second,
		LongPoll:        50 * time.Second,
		Console:         "on",
		SweepInterval:   service.DefaultSweepInterval,
		SweepBatch:      service.DefaultSweepBatch,
		HistoryCacheMiB: service.DefaultHistoryCacheBytes >> 20,
		Limits:          service.DefaultLimits(),
		// A statement takes milliseconds; one that takes seconds is
		// waiting on a database in trouble, and its request is better
		// failed (and retried by the client) than held.
		Postgres: postgres.Options{StatementTimeout: 10 * time.Second, ConnLifetime: 30 * time.Minute,
			ConnectTimeout: postgres.DefaultConnectTimeout},
	}
}

// setting declares one configuration setting: its flag, its environment
// variable, and what it means. Each setting is declared here and nowhere else.
type setting struct {
	flag  string
	env   string
	usage string
	bind  func(fs *flag.FlagSet, c *config, name, usage string)
}

func settings() []setting {
	return []setting{
		{"listen", "OPENSWF_LISTEN", "TCP address to serve the SWF API on (port 0 picks a free one)",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.Listen, n, c.Listen, u) }},
		{"store", "OPENSWF_STORE", "where state is kept: sqlite:PATH (embedded, the default) or postgres://USER@HOST/DB",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.Store, n, c.Store, u) }},
		{"region", "OPENSWF_REGION", "AWS region named in ARNs",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.Region, n, c.Region, u) }},
		{"account-id", "OPENSWF_ACCOUNT_ID", "12-digit AWS account id named in ARNs",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.AccountID, n, c.AccountID, u) }},
		{"log-level", "OPENSWF_LOG_LEVEL", "debug, info, warn or error",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.LogLevel, n, c.LogLevel, u) }},
		{"log-format", "OPENSWF_LOG_FORMAT", "text (key=value lines) or json (one JSON object a line)",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.LogFormat, n, c.LogFormat, u) }},
		{"metrics", "OPENSWF_METRICS", "on: serve Prometheus metrics at /metrics on the API's address; off: collect none",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.Metrics, n, c.Metrics, u) }},
		{"metrics-listen", "OPENSWF_METRICS_LISTEN", "address to serve /metrics on, apart from the API (empty: on the API's address, where it needs no signature even with --auth sigv4)",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.MetricsListen, n, c.MetricsListen, u) }},
		{"max-request-bytes", "OPENSWF_MAX_REQUEST_BYTES", "largest request body accepted, in bytes (SWF's limit is 1 MiB)",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.Int64Var(&c.MaxRequestBytes, n, c.MaxRequestBytes, u)
			}},
		{"long-poll-timeout", "OPENSWF_LONG_POLL_TIMEOUT", "how long PollForDecisionTask and PollForActivityTask wait for a task (SWF: 60s; keep it under botocore's 60s read timeout)",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.DurationVar(&c.LongPoll, n, c.LongPoll, u) }},
		{"debug-listen", "OPENSWF_DEBUG_LISTEN", "address for Go's pprof profiles (/debug/pprof/); empty: off",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.DebugListen, n, c.DebugListen, u) }},
		{"console", "OPENSWF_CONSOLE", "on: serve the web console at /console/ on the API's listener (with --auth sigv4 it asks for an access key and its secret); off: no console",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.Console, n, c.Console, u) }},
		{"auth", "OPENSWF_AUTH", "sigv4: check every request's AWS signature against --principals and authorize it by their policies; none: accept every request (the default, and allowed only on loopback addresses without --insecure)",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.Auth, n, c.Auth, u) }},
		{"principals", "OPENSWF_PRINCIPALS", "JSON file of principals (access keys and IAM-style policies) for --auth sigv4; reloaded on SIGHUP",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.Principals, n, c.Principals, u) }},
		{"insecure", "OPENSWF_INSECURE", "allow --auth none, and --debug-listen in any mode, on addresses other than loopback (anyone who reaches the port can do anything, or read the profiles)",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.BoolVar(&c.Insecure, n, c.Insecure, u) }},
		{"throttle", "OPENSWF_THROTTLE", "on: token buckets per account and API, with SWF's quotas; off: no throttling (default: on with --auth sigv4, off without)",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.Throttle, n, c.Throttle, u) }},
		{"throttle-settings", "OPENSWF_THROTTLE_SETTINGS", "JSON file overriding some of SWF's quotas: {\"apis\": {\"OP\": {\"burst\": N, \"rate\": R}}, \"decisions\": {...}}",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.StringVar(&c.ThrottleSettings, n, c.ThrottleSettings, u)
			}},
		{"tls-cert", "OPENSWF_TLS_CERT", "PEM certificate file: serve HTTPS (HTTP/1.1 and HTTP/2) instead of HTTP; reloaded on SIGHUP",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.TLSCert, n, c.TLSCert, u) }},
		{"tls-key", "OPENSWF_TLS_KEY", "PEM private key file of --tls-cert",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.TLSKey, n, c.TLSKey, u) }},
		{"shutdown-timeout", "OPENSWF_SHUTDOWN_TIMEOUT", "how long a shutdown waits for requests in flight",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.DurationVar(&c.ShutdownTimeout, n, c.ShutdownTimeout, u)
			}},
		{"retention-sweep-interval", "OPENSWF_RETENTION_SWEEP_INTERVAL", "how often closed executions past their domain's retention are deleted (and once at start-up)",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.DurationVar(&c.SweepInterval, n, c.SweepInterval, u)
			}},
		{"retention-sweep-batch", "OPENSWF_RETENTION_SWEEP_BATCH", "most executions one retention deletion transaction takes; bounds how long a sweep holds the store's writer at once",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.IntVar(&c.SweepBatch, n, c.SweepBatch, u) }},
		{"history-cache-mib", "OPENSWF_HISTORY_CACHE_MIB", "MiB of recent histories (open runs' events, as stored) kept in memory to answer decision tasks and history reads without the store; 0: none",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.IntVar(&c.HistoryCacheMiB, n, c.HistoryCacheMiB, u) }},
		// PostgreSQL's pool.
		{"pg-max-conns", "OPENSWF_PG_MAX_CONNS", "PostgreSQL: most connections this node opens (0: the larger of 4 and the number of CPUs; a pool_max_conns in the URL wins)",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.Func(n, u, func(v string) error {
					i, err := strconv.ParseInt(v, 10, 32)
					if err != nil || i < 0 {
						return fmt.Errorf("want a number of connections, got %q", v)
					}
					c.Postgres.MaxConns = int32(i)
					return nil
				})
			}},
		{"pg-statement-timeout", "OPENSWF_PG_STATEMENT_TIMEOUT", "PostgreSQL: longest a statement may run before the database cancels it and its request fails, to be retried (0: no limit)",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.DurationVar(&c.Postgres.StatementTimeout, n, c.Postgres.StatementTimeout, u)
			}},
		{"pg-conn-lifetime", "OPENSWF_PG_CONN_LIFETIME", "PostgreSQL: a connection is closed and opened again once this old, so that the pool follows a restarted or failed-over database",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.DurationVar(&c.Postgres.ConnLifetime, n, c.Postgres.ConnLifetime, u)
			}},
		{"pg-connect-timeout", "OPENSWF_PG_CONNECT_TIMEOUT", "PostgreSQL: longest opening one connection may take, so that requests fail promptly while the database is down (a connect_timeout in the URL wins)",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.DurationVar(&c.Postgres.ConnectTimeout, n, c.Postgres.ConnectTimeout, u)
			}},
		// SWF's quotas. A run keeps the per-run limits it started with.
		{"limit-domains", "OPENSWF_LIMIT_DOMAINS", "most domains, registered and deprecated; RegisterDomain beyond it is a LimitExceededFault",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.IntVar(&c.Limits.Domains, n, c.Limits.Domains, u) }},
		{"limit-types", "OPENSWF_LIMIT_TYPES", "most activity types, and workflow types, per domain, registered and deprecated; a Register*Type beyond it is a LimitExceededFault",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.IntVar(&c.Limits.TypesPerKind, n, c.Limits.TypesPerKind, u)
			}},
		{"limit-domain-tags", "OPENSWF_LIMIT_DOMAIN_TAGS", "most tags on one domain; more is a TooManyTagsFault",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.IntVar(&c.Limits.TagsPerDomain, n, c.Limits.TagsPerDomain, u)
			}},
		{"limit-open-executions", "OPENSWF_LIMIT_OPEN_EXECUTIONS", "most open workflow executions per domain; StartWorkflowExecution beyond it is a LimitExceededFault, a child start fails with OPEN_WORKFLOWS_LIMIT_EXCEEDED",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.IntVar(&c.Limits.OpenExecutionsPerDomain, n, c.Limits.OpenExecutionsPerDomain, u)
			}},
		{"limit-history-events", "OPENSWF_LIMIT_HISTORY_EVENTS", "most events in one execution's history (at least 10); the execution is terminated with cause EVENT_LIMIT_EXCEEDED rather than pass it",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.IntVar(&c.Limits.HistoryEvents, n, c.Limits.HistoryEvents, u)
			}},
		{"limit-open-activities", "OPENSWF_LIMIT_OPEN_ACTIVITIES", "most open activity tasks per execution; ScheduleActivityTask beyond it fails with OPEN_ACTIVITIES_LIMIT_EXCEEDED",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.IntVar(&c.Limits.OpenActivities, n, c.Limits.OpenActivities, u)
			}},
		{"limit-open-timers", "OPENSWF_LIMIT_OPEN_TIMERS", "most open timers per execution; StartTimer beyond it fails with OPEN_TIMERS_LIMIT_EXCEEDED",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.IntVar(&c.Limits.OpenTimers, n, c.Limits.OpenTimers, u)
			}},
		{"limit-open-children", "OPENSWF_LIMIT_OPEN_CHILDREN", "most open child executions per execution; StartChildWorkflowExecution beyond it fails with OPEN_CHILDREN_LIMIT_EXCEEDED",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.IntVar(&c.Limits.OpenChildren, n, c.Limits.OpenChildren, u)
			}},
		{"limit-pollers", "OPENSWF_LIMIT_POLLERS", "most polls waiting at once on one task list (per kind and domain, per node); one more is a LimitExceededFault",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.IntVar(&c.Limits.PollersPerTaskList, n, c.Limits.PollersPerTaskList, u)
			}},
	}
}

// parseConfig reads the settings: defaults, then environment variables, then
// flags, each overriding the one before.
func parseConfig(name string, args []string, getenv func(string) string) (config, error) {
	c := defaultConfig()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: openswf %s [flags]\n\nEach flag can also be set by the environment variable named after it.\n\n", name)
		fs.PrintDefaults()
	}
	for _, s := range settings() {
		s.bind(fs, &c, s.flag, s.usage+" ($"+s.env+")")
	}
	for _, s := range settings() {
		if v := getenv(s.env); v != "" {
			if err := fs.Set(s.flag, v); err != nil {
				return c, fmt.Errorf("$%s: %w", s.env, err)
			}
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return c, c.validate()
}

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// minHistoryEvents is the least --limit-history-events: a run needs room
// for more than its start and its first decision task.
const minHistoryEvents = 10

func (c config) validate() error {
	var errs []error
	if !accountIDPattern.MatchString(c.AccountID) {
		errs = append(errs, fmt.Errorf("account id %q is not 12 digits", c.AccountID))
	}
	if c.Region == "" {
		errs = append(errs, errors.New("region is empty"))
	}
	if _, err := c.level(); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log format %q: use text or json", c.LogFormat))
	}
	if c.Metrics != "on" && c.Metrics != "off" {
		errs = append(errs, fmt.Errorf("metrics %q: use on or off", c.Metrics))
	}
	if c.LongPoll <= 0 {
		errs = append(errs, errors.New("long poll timeout must be positive"))
	}
	if c.MaxRequestBytes <= 0 {
		errs = append(errs, errors.New("max request bytes must be positive"))
	}
	// Zero would mean the service's default, not what was asked for.
	if c.SweepInterval <= 0 {
		errs = append(errs, errors.New("--retention-sweep-interval must be positive"))
	}
	if c.SweepBatch <= 0 {
		errs = append(errs, errors.New("--retention-sweep-batch must be positive"))
	}
	if c.HistoryCacheMiB < 0 || c.HistoryCacheMiB > 1<<20 {
		errs = append(errs, errors.New("--history-cache-mib must be between 0 and 1048576"))
	}
	for _, l := range []struct {
		name     string
		v, least int
	}{
		{"--limit-domains", c.Limits.Domains, 1}, {"--limit-types", c.Limits.TypesPerKind, 1},
		{"--limit-domain-tags", c.Limits.TagsPerDomain, 1}, {"--limit-open-executions", c.Limits.OpenExecutionsPerDomain, 1},
		// A run needs room for more than its start and first decision.
		{"--limit-history-events", c.Limits.HistoryEvents, minHistoryEvents},
		{"--limit-open-activities", c.Limits.OpenActivities, 1}, {"--limit-open-timers", c.Limits.OpenTimers, 1},
		{"--limit-open-children", c.Limits.OpenChildren, 1}, {"--limit-pollers", c.Limits.PollersPerTaskList, 1},
	} {
		if l.v < l.least {
			errs = append(errs, fmt.Errorf("%s must be at least %d", l.name, l.least))
		}
	}
	switch c.Auth {
	case "", "none":
		if c.Principals != "" {
			errs = append(errs, errors.New("--principals is for --auth sigv4"))
		}
		if !c.Insecure {
			for _, addr := range c.listeners() {
				if !loopback(addr) {
					errs = append(errs, fmt.Errorf("%s is not a loopback address: serving it without authentication needs --auth sigv4 (or --insecure, to let anyone who reaches it do anything)", addr))
				}
			}
		}
	case "sigv4":
		if c.Principals == "" {
			errs = append(errs, errors.New("--auth sigv4 needs --principals FILE"))
		}
		// Signatures guard the API, not the profiles: pprof answers
		// whoever asks, with the process's command line, heap and
		// goroutine stacks, so it stays on loopback here too.
		if c.DebugListen != "" && !loopback(c.DebugListen) && !c.Insecure {
			errs = append(errs, fmt.Errorf("--debug-listen %s is not a loopback address: profiles are served unsigned (use --insecure to let anyone who reaches it read them)", c.DebugListen))
		}
	default:
		errs = append(errs, fmt.Errorf("auth %q: use sigv4 or none", c.Auth))
	}
	if c.Console != "on" && c.Console != "off" {
		errs = append(errs, fmt.Errorf("console %q: use on or off", c.Console))
	}
	switch c.Throttle {
	case "", "on", "off":
	default:
		errs = append(errs, fmt.Errorf("throttle %q: use on or off", c.Throttle))
	}
	if c.ThrottleSettings != "" && !c.throttled() {
		errs = append(errs, errors.New("--throttle-settings needs throttling on (--throttle on, or --auth sigv4)"))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key go together"))
	}
	return errors.Join(errs...)
}

// authenticated reports whether requests are checked by signature.
func (c config) authenticated() bool { return c.Auth == "sigv4" }

// throttled reports whether throttling is on: as asked, else with
// authentication (a laptop server has one user, who needs no quotas).
func (c config) throttled() bool {
	if c.Throttle == "" {
		return c.authenticated()
	}
	return c.Throttle == "on"
}

// listeners are the addresses openswf listens on.
func (c config) listeners() []string {
	addrs := []string{c.Listen}
	if c.DebugListen != "" {
		addrs = append(addrs, c.DebugListen)
	}
	return addrs
}

// loopback reports whether a listen address only accepts connections from
// this machine: an explicit loopback IP or localhost. An empty host means
// every interface.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c config) level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return l, fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

func getenv(k string) string { return os.Getenv(k) }
