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

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/store/dsn"
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
		return serve(ctx, cfg, stderr)
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

// serve builds the object graph by hand and runs it until ctx ends.
func serve(ctx context.Context, cfg config, logOut io.Writer) error {
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
		Region:    cfg.Region,
		AccountID: cfg.AccountID,
		Limits:    service.DefaultLimits(),
		LongPoll:  cfg.LongPoll,
	}, st, clock.Real{}, logger)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{
		Listen:          cfg.Listen,
		MaxBodyBytes:    cfg.MaxRequestBytes,
		ShutdownTimeout: cfg.ShutdownTimeout,
	}, svc, logger)
	if err != nil {
		return err
	}
	logger.Info("openswf serving", "version", version, "addr", "http://"+srv.Addr(), "store", cfg.Store, "region", cfg.Region, "account", cfg.AccountID)

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
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
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
