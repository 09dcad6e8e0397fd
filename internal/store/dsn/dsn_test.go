package dsn_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/dsn"
	"github.com/openswf/openswf/internal/store/pgtest"
	"github.com/openswf/openswf/internal/store/postgres"
	"github.com/openswf/openswf/internal/store/sqlite"
)

var pg = pgtest.New()

func TestMain(m *testing.M) {
	code := m.Run()
	if err := pg.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		spec func(t *testing.T) string
		want func(store.Store) bool
		file string // a SQLite file that must exist afterwards
	}{
		{"sqlite", func(*testing.T) string { return "sqlite:" + filepath.Join(dir, "a.db") }, isSQLite, "a.db"},
		{"sqlite relative", func(t *testing.T) string {
			t.Chdir(dir)
			return "sqlite:sub/b.db"
		}, isSQLite, "sub/b.db"},
		{"bare path", func(*testing.T) string { return filepath.Join(dir, "c.db") }, isSQLite, "c.db"},
		{"bare path with a colon", func(*testing.T) string { return filepath.Join(dir, "d:e.db") }, isSQLite, "d:e.db"},
		{"postgres", func(t *testing.T) string { return pg.Database(t) }, isPostgres, ""},
		{"postgresql", func(t *testing.T) string {
			return "postgresql://" + strings.TrimPrefix(pg.Database(t), "postgres://")
		}, isPostgres, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := dsn.Open(t.Context(), tt.spec(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if !tt.want(s) {
				t.Errorf("opened a %T", s)
			}
			if tt.file != "" {
				if _, err := os.Stat(filepath.Join(dir, tt.file)); err != nil {
					t.Errorf("no database file: %v", err)
				}
			}
		})
	}
}

func isSQLite(s store.Store) bool   { _, ok := s.(*sqlite.Store); return ok }
func isPostgres(s store.Store) bool { _, ok := s.(*postgres.Store); return ok }

func TestOpenRefuses(t *testing.T) {
	for _, spec := range []string{
		"",
		"  ",
		"sqlite:",
		"mysql://user@host/db",
		"postgress://user@host/db",
		"redis:thing",
	} {
		t.Run(spec, func(t *testing.T) {
			s, err := dsn.Open(t.Context(), spec, nil)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), "sqlite:PATH") || !strings.Contains(err.Error(), "postgres://") {
				t.Errorf("error %q does not name the accepted forms", err)
			}
		})
	}
}

// A server opens PostgreSQL without migrating: a new database is refused
// until Migrate has run, which says what it applied; SQLite migrates
// itself, and Migrate on a current file applies nothing.
func TestOpenWithAndMigrate(t *testing.T) {
	ctx := t.Context()
	url := pg.Database(t)
	if _, err := dsn.OpenWith(ctx, url, nil, dsn.Options{}); err == nil || !strings.Contains(err.Error(), "openswf migrate") {
		t.Fatalf("a server opening a new PostgreSQL database: %v, want a refusal naming openswf migrate", err)
	}
	done, err := dsn.Migrate(ctx, url, nil)
	if err != nil || len(done) == 0 {
		t.Fatalf("Migrate: %d applied, %v", len(done), err)
	}
	s, err := dsn.OpenWith(ctx, url, nil, dsn.Options{})
	if err != nil {
		t.Fatalf("a server opening a migrated database: %v", err)
	}
	s.Close()

	file := filepath.Join(t.TempDir(), "x.db")
	if s, err = dsn.OpenWith(ctx, "sqlite:"+file, nil, dsn.Options{}); err != nil {
		t.Fatalf("a server opening a new SQLite file: %v", err)
	}
	s.Close()
	if done, err := dsn.Migrate(ctx, file, nil); err != nil || len(done) != 0 {
		t.Errorf("Migrate on a current SQLite file: %+v, %v", done, err)
	}
	if _, err := dsn.Migrate(ctx, "mysql://x", nil); err == nil {
		t.Error("Migrate of an unknown kind of store succeeded")
	}
}
