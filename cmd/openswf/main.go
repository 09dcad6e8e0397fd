// Command openswf runs a service that answers the Amazon Simple Workflow
// Service API, so that SWF programs run against it by changing only their
// endpoint.
//
//	openswf [serve] [flags]   start the service (the default)
//	openswf version           print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/awsjson"
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/policy"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/sigv4"
	"github.com/openswf/openswf/internal/store/dsn"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/throttle"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "openswf:", err)
		}
		os.Exit(2)
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
		return serve(ctx, cfg, stderr, reload, nil)
	case "bench":
		return runBench(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "openswf", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, "Usage: openswf [serve|version] [flags]; openswf serve --help lists the flags.")
		return nil
	default:
		return fmt.Errorf("unknown command %q (try serve or version)", cmd)
	}
}

// serve builds the object graph by hand and runs it until ctx ends. Each
// signal on reload (SIGHUP) reads the principals file and the TLS
// certificate again. started, when not nil, is told the server's URL once
// it listens.
func serve(ctx context.Context, cfg config, logOut io.Writer, reload <-chan os.Signal, started func(url string)) error {
	level, _ := cfg.level()
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))

	st, err := dsn.Open(ctx, cfg.Store, logger)
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			logger.Error("closing the store", "err", err)
		}
	}()
	svc, err := service.New(ctx, service.Config{
		Region:        cfg.Region,
		AccountID:     cfg.AccountID,
		Limits:        cfg.Limits,
		LongPoll:      cfg.LongPoll,
		SweepInterval: cfg.SweepInterval,
		SweepBatch:    cfg.SweepBatch,
	}, st, clock.Real{}, logger)
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

	// The interceptor chain, outermost first: a call is authorized before
	// it takes a token from its rate, so a denied call costs no quota and
	// a denied decision is not counted against its kind's rate.
	authorizer := &auth.Authorizer{Scope: policy.Scope{Region: cfg.Region, Account: cfg.AccountID}, TokenDomain: svc.TokenDomain}
	interceptors := []swfapi.Interceptor{authorizer.Interceptor}
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
	api := &awsjson.Handler{Invoke: swfapi.Chain(svc, interceptors...), Logger: logger, RequestID: server.RequestID}

	srv, err := server.New(server.Config{
		Listen:          cfg.Listen,
		ShutdownTimeout: cfg.ShutdownTimeout,
		TLSCert:         cfg.TLSCert,
		TLSKey:          cfg.TLSKey,
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
			authenticate,
		},
	}, api, logger)
	if err != nil {
		return err
	}
	logger.Info("openswf serving", "version", version, "addr", srv.URL(), "store", cfg.Store, "region", cfg.Region, "account", cfg.AccountID,
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

	if cfg.DebugListen != "" {
		stopDebug, err := serveDebug(cfg.DebugListen, logger)
		if err != nil {
			return err
		}
		defer stopDebug()
	}

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
