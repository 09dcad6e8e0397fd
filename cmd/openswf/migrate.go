package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/openswf/openswf/internal/store/dsn"
)

// runMigrate is openswf migrate: it applies the migrations the store named
// by --store (or OPENSWF_STORE) lacks, each in its own transaction, and
// says which. On PostgreSQL a server does not migrate by itself: several
// nodes share the database, and the operator decides when its schema
// changes (nodes still running the older binary keep working through an
// added index or table; the release notes say when one does not).
func runMigrate(args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("migrate", args, getenv)
	if err != nil {
		return err
	}
	level, _ := cfg.level()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: max(level, slog.LevelWarn)}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done, err := dsn.Migrate(ctx, cfg.Store, logger)
	for _, m := range done {
		fmt.Fprintf(stdout, "applied %04d_%s\n", m.Version, m.Name)
	}
	if err != nil {
		return fmt.Errorf("migrating the store: %w", err)
	}
	if len(done) == 0 {
		fmt.Fprintln(stdout, "the store's schema is current: nothing to apply")
	} else {
		fmt.Fprintf(stdout, "the store's schema is current (%d applied)\n", len(done))
	}
	return nil
}
