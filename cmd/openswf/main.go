// Command openswf runs a service that answers the Amazon Simple Workflow
// Service API, so that SWF programs run against it by changing only their
// endpoint.
//
//	openswf [serve] [flags]   start the service (the default)
//	openswf bench SCENARIO    put load on any SWF endpoint and measure it
//	openswf migrate [flags]   apply the store's pending schema migrations
//	openswf version [--json]  print the version, commit and Go version
//	openswf healthcheck       GET /healthz of the local server: exit 0 or 1
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/awsjson"
	"github.com/openswf/openswf/internal/bench"
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/metrics"
	"github.com/openswf/openswf/internal/policy"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/sigv4"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/dsn"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/throttle"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "openswf:", err)
		}
		os.Exit(exitCode(err))
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := parseConfig("serve", args, getenv)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		reload := make(chan os.Signal, 1)
		signal.Notify(reload, syscall.SIGHUP)
		defer signal.Stop(reload)
		tuneGC(getenv, os.ReadFile)
		return serve(ctx, cfg, stderr, reload, nil)
	case "bench":
		return runBench(args, stdout, stderr)
	case baselineHandlerCommand:
		return bench.ServeBaselineProcess(os.Stdin, stdout)
	case "migrate":
		return runMigrate(args, stdout, stderr)
	case "version":
		return runVersion(args, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(args, stdout, stderr, getenv)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "Usage: openswf [serve|bench|migrate|version|healthcheck] [flags]; openswf serve --help lists the flags.")
		return nil
	default:
		return fmt.Errorf("unknown command %q (try serve, bench, migrate, version or healthcheck)", cmd)
	}
}

// serve builds the object graph by hand and runs it until ctx ends. Each
// signal on reload (SIGHUP) reads the principals file and the TLS
// certificate again. started, when not nil, is told the server's URL once
// it listens.
func serve(ctx context.Context, cfg config, logOut io.Writer, reload <-chan os.Signal, started func(url string)) error {
	level, _ := cfg.level()
	logOpts := &slog.HandlerOptions{Level: level}
	var logHandler slog.Handler = slog.NewTextHandler(logOut, logOpts)
	if cfg.LogFormat == "json" {
		logHandler = slog.NewJSONHandler(logOut, logOpts)
	}
	logger := slog.New(logHandler)

	// SQLite migrates itself; PostgreSQL, shared by several nodes, is
	// migrated by openswf migrate, and a server refuses a schema it does
	// not match.
	st, err := dsn.OpenWith(ctx, cfg.Store, logger, dsn.Options{Postgres: cfg.Postgres})
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			logger.Error("closing the store", "err", err)
		}
	}()
	svcCfg := service.Config{
		Region:        cfg.Region,
		AccountID:     cfg.AccountID,
		Limits:        cfg.Limits,
		LongPoll:      cfg.LongPoll,
		SweepInterval: cfg.SweepInterval,
		SweepBatch:    cfg.SweepBatch,
		// 0 MiB is no cache, which the service spells as negative.
		HistoryCacheBytes: cmp.Or(cfg.HistoryCacheMiB<<20, -1),
	}
	// Metrics (--metrics on): a registry of this process's own, fed by the
	// first interceptor, by observers handed to the store, the service,
	// matching and the timer loop, and by the store itself at scrape time.
	var mx *metrics.Metrics
	if cfg.Metrics == "on" {
		mx = metrics.New(metrics.Options{Store: st, Clock: clock.Real{},
			Errorf: func(msg string, err error) { logger.Warn(msg, "err", err) }})
		if o, ok := st.(store.Observable); ok {
			o.ObserveCommits(mx)
		}
		svcCfg.Observer, svcCfg.PollObserver, svcCfg.TimerObserver = mx, mx, mx
	}
	svc, err := service.New(ctx, svcCfg, st, clock.Real{}, logger)
	if err != nil {
		return err
	}

	// Who may call: every request authenticated by its signature against
	// the principals file, or (--auth none) all of them under one local
	// principal allowed everything.
	var keys *auth.Keyring
	authenticate := auth.Anonymous(auth.Local(cfg.AccountID))
	if cfg.authenticated() {
		if keys, err = auth.OpenKeyring(cfg.Principals, cfg.AccountID); err != nil {
			return err
		}
		authenticate = (&auth.Authenticator{Keys: keys, Verifier: sigv4.NewVerifier(cfg.Region, "swf"), Now: time.Now}).Middleware
	} else if cfg.Insecure {
		logger.Warn("serving without authentication (--auth none --insecure): anyone who reaches the port can do anything")
	}
	if cfg.DebugListen != "" && !loopback(cfg.DebugListen) {
		logger.Warn("serving profiles on a network address (--debug-listen with --insecure): anyone who reaches it can read them", "addr", cfg.DebugListen)
	}

	// The interceptor chain, outermost first: a call is authorized before
	// it takes a token from its rate, so a denied call costs no quota and
	// a denied decision is not counted against its kind's rate.
	authorizer := &auth.Authorizer{Scope: policy.Scope{Region: cfg.Region, Account: cfg.AccountID}, TokenDomain: svc.TokenDomain,
		DomainTags: svc.DomainTags, DefaultTaskList: svc.DefaultTaskList}
	interceptors := []swfapi.Interceptor{authorizer.Interceptor}
	if mx != nil {
		// First, so that denied and throttled calls are counted too.
		interceptors = append([]swfapi.Interceptor{mx.Interceptor()}, interceptors...)
	}
	if cfg.throttled() {
		settings := throttle.Defaults()
		if cfg.ThrottleSettings != "" {
			data, err := os.ReadFile(cfg.ThrottleSettings)
			if err != nil {
				return fmt.Errorf("reading the throttle settings: %w", err)
			}
			if settings, err = throttle.Load(data, settings); err != nil {
				return fmt.Errorf("%s: %w", cfg.ThrottleSettings, err)
			}
		}
		account := func(context.Context) string { return cfg.AccountID }
		interceptors = append(interceptors, throttle.New(settings, time.Now).Interceptor(account))
	}
	chain := swfapi.Chain(svc, interceptors...)
	api := &awsjson.Handler{Invoke: chain, Logger: logger, RequestID: server.RequestID}

	// The web console reads and acts through the same chain, so the same
	// access control applies; it logs people in itself (see skipConsole).
	var routes []server.Route
	if cfg.Console == "on" {
		if routes, err = consoleRoutes(ctx, cfg, st, svc, chain, keys, logger); err != nil {
			return err
		}
		authenticate = skipConsole(authenticate)
	}
	// Health (always) and metrics, which probes and Prometheus fetch
	// unsigned; refused signatures are counted by code, and each request
	// logged at debug level once its principal is known.
	health := metrics.NewHealth(st, 0)
	routes = append(routes, health.Routes()...)
	unsigned := []string{metrics.PathHealthz, metrics.PathReadyz}
	logRequest, logPrincipal := metrics.RequestLog(logger)
	authChain := []server.Middleware{logRequest}
	if mx != nil {
		// On the API's address /metrics is unsigned (Prometheus does not
		// sign), so it shows domain and task-list names to whoever reaches
		// the port; --metrics-listen moves it to an address of its own.
		if cfg.MetricsListen == "" {
			routes = append(routes, mx.Route())
			unsigned = append(unsigned, metrics.PathMetrics)
		}
		authChain = append(authChain, mx.AuthFailures)
	}
	authChain = append(authChain, metrics.SkipAuth(authenticate, unsigned...), logPrincipal)

	srv, err := server.New(server.Config{
		Listen:          cfg.Listen,
		ShutdownTimeout: cfg.ShutdownTimeout,
		TLSCert:         cfg.TLSCert,
		TLSKey:          cfg.TLSKey,
		Routes:          routes,
		// The middleware, outermost first: every request gets an id
		// before anything can fail; a panic below becomes an internal
		// failure with that id; a slow client is cut off; a body over
		// SWF's limit is refused before it is read; and only then is the
		// (bounded) body read to check its signature.
		Middleware: []server.Middleware{
			server.RequestIDs,
			server.RecoverPanics(logger),
			server.Deadlines(30*time.Second, 60*time.Second, cfg.LongPoll+30*time.Second),
			server.LimitBody(cfg.MaxRequestBytes),
			func(next http.Handler) http.Handler { return server.Wrap(next, authChain...) },
		},
	}, api, logger)
	if err != nil {
		return err
	}
	// The side listeners are up before anyone is told the server is.
	if cfg.DebugListen != "" {
		stopDebug, err := serveDebug(cfg.DebugListen, logger)
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	if mx != nil && cfg.MetricsListen != "" {
		mux := http.NewServeMux()
		mux.Handle(mx.Route().Pattern, mx.Handler())
		stopMetrics, err := serveAside("metrics", cfg.MetricsListen, metrics.PathMetrics, mux, logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	logger.Info("openswf serving", "build", readBuildInfo(), "addr", srv.URL(), "store", redactStore(cfg.Store), "region", cfg.Region, "account", cfg.AccountID,
		"auth", map[bool]string{true: "sigv4", false: "none"}[cfg.authenticated()], "throttle", cfg.throttled())
	if started != nil {
		started(srv.URL())
	}

	timersCtx, stopTimers := context.WithCancel(context.Background())
	timersDone := make(chan struct{})
	go func() {
		defer close(timersDone)
		svc.Run(timersCtx)
	}()
	defer func() {
		stopTimers()
		<-timersDone
	}()

	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	for running := true; running; {
		select {
		case err := <-served:
			return err
		case <-reload:
			reloadFiles(keys, srv, logger)
		case <-ctx.Done():
			running = false
		}
	}
	logger.Info("shutting down: finishing requests in flight")
	health.ShuttingDown()
	// Waiting polls answer empty at once rather than holding the shutdown
	// for their whole long poll.
	svc.StopPolls()
	if err := srv.Shutdown(context.Background()); err != nil {
		logger.Warn("shutdown did not finish cleanly", "err", err)
	}
	<-served
	logger.Info("stopped")
	return nil
}

// reloadFiles reads the principals and the TLS certificate again. What does
// not load is logged and the previous one stays in force, so a typo in a
// file never locks everyone out.
func reloadFiles(keys *auth.Keyring, srv *server.Server, logger *slog.Logger) {
	if keys != nil {
		if err := keys.Reload(); err != nil {
			logger.Error("principals not reloaded; the previous ones stay in force", "err", err)
		} else {
			logger.Info("principals reloaded", "count", keys.Principals().Len())
		}
	}
	if srv.TLS() {
		if err := srv.ReloadCertificate(); err != nil {
			logger.Error("TLS certificate not reloaded; the previous one stays in use", "err", err)
		} else {
			logger.Info("TLS certificate reloaded")
		}
	}
}

// redactStore hides the password a postgres:// URL may carry, so that the
// store can be named in logs.
func redactStore(spec string) string {
	u, err := url.Parse(spec)
	if err != nil || u.User == nil {
		return spec
	}
	if _, set := u.User.Password(); !set {
		return spec
	}
	return u.Redacted()
}
