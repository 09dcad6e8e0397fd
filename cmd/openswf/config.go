package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"
)

// config is everything `openswf serve` can be told.
type config struct {
	Listen          string
	Store           string
	Region          string
	AccountID       string
	LogLevel        string
	MaxRequestBytes int64
	ShutdownTimeout time.Duration
	LongPoll        time.Duration
	DebugListen     string
}

func defaultConfig() config {
	return config{
		Listen:          "127.0.0.1:7930",
		Store:           "sqlite:data/openswf.db",
		Region:          "us-east-1",
		AccountID:       "123456789012",
		LogLevel:        "info",
		MaxRequestBytes: 1 << 20,
		ShutdownTimeout: 10 * time.Second,
		LongPoll:        50 * time.Second,
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
		{"max-request-bytes", "OPENSWF_MAX_REQUEST_BYTES", "largest request body accepted, in bytes (SWF's limit is 1 MiB)",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.Int64Var(&c.MaxRequestBytes, n, c.MaxRequestBytes, u)
			}},
		{"long-poll-timeout", "OPENSWF_LONG_POLL_TIMEOUT", "how long PollForDecisionTask and PollForActivityTask wait for a task (SWF: 60s; keep it under botocore's 60s read timeout)",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.DurationVar(&c.LongPoll, n, c.LongPoll, u) }},
		{"debug-listen", "OPENSWF_DEBUG_LISTEN", "address for Go's pprof profiles (/debug/pprof/); empty: off",
			func(fs *flag.FlagSet, c *config, n, u string) { fs.StringVar(&c.DebugListen, n, c.DebugListen, u) }},
		{"shutdown-timeout", "OPENSWF_SHUTDOWN_TIMEOUT", "how long a shutdown waits for requests in flight",
			func(fs *flag.FlagSet, c *config, n, u string) {
				fs.DurationVar(&c.ShutdownTimeout, n, c.ShutdownTimeout, u)
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
	if c.LongPoll <= 0 {
		errs = append(errs, errors.New("long poll timeout must be positive"))
	}
	if c.MaxRequestBytes <= 0 {
		errs = append(errs, errors.New("max request bytes must be positive"))
	}
	return errors.Join(errs...)
}

func (c config) level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return l, fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

func getenv(k string) string { return os.Getenv(k) }
