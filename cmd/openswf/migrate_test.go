package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store/pgtest"
)

// openswf migrate on PostgreSQL: serve refuses a database without the
// schema, naming openswf migrate; migrate applies every step and says so,
// a second run applies nothing, and serve then starts. On SQLite, migrate
// makes and migrates the file (serve would too).
func TestMigrateCommand(t *testing.T) {
	pg := pgtest.New()
	t.Cleanup(func() { pg.Close() })
	url := pg.Database(t)

	cfg := defaultConfig()
	cfg.Listen, cfg.Store, cfg.LogLevel = "127.0.0.1:0", url, "error"
	err := serve(t.Context(), cfg, io.Discard, make(chan os.Signal), nil)
	if err == nil || !strings.Contains(err.Error(), "openswf migrate") {
		t.Fatalf("serve on a new PostgreSQL database: %v, want a refusal naming openswf migrate", err)
	}

	var out bytes.Buffer
	if err := run([]string{"migrate", "--store", url}, &out, io.Discard); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "applied 0001_registry\n") || !strings.Contains(out.String(), "the store's schema is current (") {
		t.Errorf("migrate printed:\n%s", out.String())
	}
	out.Reset()
	if err := run([]string{"migrate", "--store", url}, &out, io.Discard); err != nil || out.String() != "the store's schema is current: nothing to apply\n" {
		t.Errorf("a second migrate: %v\n%s", err, out.String())
	}

	ctx, cancel := context.WithCancel(t.Context())
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, io.Discard, make(chan os.Signal), func(u string) { started <- u }) }()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("serve on a migrated database: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}

	file := filepath.Join(t.TempDir(), "sub", "x.db")
	out.Reset()
	if err := run([]string{"migrate", "--store", "sqlite:" + file}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "applied 0001_registry") {
		t.Errorf("migrate of a new SQLite file: %v\n%s", err, out.String())
	}
	if _, err := os.Stat(file); err != nil {
		t.Errorf("no SQLite file after migrate: %v", err)
	}
}

// The pool settings reach postgres.Options, from flags or the environment.
func TestParsePostgres(t *testing.T) {
	env := map[string]string{"OPENSWF_PG_STATEMENT_TIMEOUT": "3s"}
	cfg, err := parseConfig("serve", []string{"--pg-max-conns", "12", "--pg-conn-lifetime", "5m", "--pg-connect-timeout", "2s"},
		func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Postgres
	if p.MaxConns != 12 || p.StatementTimeout != 3*time.Second || p.ConnLifetime != 5*time.Minute || p.ConnectTimeout != 2*time.Second || p.Migrate {
		t.Errorf("parsed %+v", p)
	}
	if d := defaultConfig().Postgres; d.StatementTimeout != 10*time.Second || d.MaxConns != 0 {
		t.Errorf("defaults %+v", d)
	}
	for _, bad := range []string{"-1", "x", "99999999999"} {
		if _, err := parseConfig("serve", []string{"--pg-max-conns", bad}, func(string) string { return "" }); err == nil {
			t.Errorf("--pg-max-conns %s accepted", bad)
		}
	}
}

func TestRedactStore(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@db/x?sslmode=disable": "postgres://u:xxxxx@db/x?sslmode=disable",
		"postgres://u@db/x":                        "postgres://u@db/x",
		"sqlite:data/openswf.db":                   "sqlite:data/openswf.db",
		"data/openswf.db":                          "data/openswf.db",
	} {
		if got := redactStore(in); got != want {
			t.Errorf("redactStore(%q) = %q, want %q", in, got, want)
		}
	}
}
