package postgres

import (
	"errors"
	"fmt"
	"github.com/openswf/openswf/internal/store/schema"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func versions(t *testing.T, pool *pgxpool.Pool) []int {
	t.Helper()
	rows, err := pool.Query(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestMigrate(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	first := fstest.MapFS{
		"0001_a.sql": {Data: []byte(`CREATE TABLE a (x integer); INSERT INTO a VALUES (1);`)},
		"README.md":  {Data: []byte(`not a migration`)},
	}
	second := fstest.MapFS{
		"0001_a.sql": first["0001_a.sql"],
		// A second CREATE TABLE a would fail: 0001 must not run again.
		"0002_b.sql": {Data: []byte(`CREATE TABLE b (y text); INSERT INTO a VALUES (2);`)},
	}
	broken := fstest.MapFS{
		"0001_a.sql": first["0001_a.sql"],
		"0002_b.sql": second["0002_b.sql"],
		// The first statement succeeds, the second fails: neither may stay.
		"0003_c.sql": {Data: []byte(`CREATE TABLE c (z integer); INSERT INTO nowhere VALUES (1);`)},
	}

	ctx := t.Context()
	pool, err := newPool(t)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrate(ctx, pool, first, logger); err != nil {
		t.Fatal(err)
	}
	done, err := migrate(ctx, pool, second, logger)
	if err != nil || len(done) != 1 || done[0].Version != 2 {
		t.Fatalf("migrating to 0002 applied %+v, %v; want 0002 alone", done, err)
	}
	if done, err := migrate(ctx, pool, second, logger); err != nil || len(done) != 0 {
		t.Fatalf("re-running finished migrations: %+v, %v", done, err)
	}
	// A binary that knows only 0001 refuses the database, and writes
	// nothing.
	var newer *schema.NewerError
	if _, err := migrate(ctx, pool, first, logger); !errors.As(err, &newer) || !slices.Equal(newer.Unknown, []int{2}) {
		t.Fatalf("an older binary's migrate: %v, want a NewerError naming 0002", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM a`).Scan(&n); err != nil || n != 2 {
		t.Errorf("rows in a = %d, %v; want 2 (each migration once)", n, err)
	}
	_, err = migrate(ctx, pool, broken, logger)
	if err == nil || !strings.Contains(err.Error(), "0003_c") {
		t.Fatalf("broken migration: got %v, want an error naming it", err)
	}
	if got := versions(t, pool); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("recorded versions = %v, want [1 2]", got)
	}
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('c') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Errorf("table c of the failed migration exists (%v)", err)
	}
}

func newPool(t *testing.T) (*pgxpool.Pool, error) {
	pool, err := pgxpool.New(t.Context(), pg.Database(t))
	if err == nil {
		t.Cleanup(pool.Close)
	}
	return pool, err
}

// TestConcurrentOpen starts several nodes on one new database at once: the
// advisory lock must make them apply each migration once, and all start.
func TestConcurrentOpen(t *testing.T) {
	url := pg.Database(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s, err := Open(t.Context(), url, nil)
			if err != nil {
				t.Errorf("Open: %v", err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	steps, err := schema.Load(embeddedMigrations())
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if got := versions(t, pool); len(got) != len(steps) {
		t.Errorf("recorded versions %v, want one per migration (%d)", got, len(steps))
	}
}

func TestEmbeddedMigrationsLoad(t *testing.T) {
	ms, err := schema.Load(embeddedMigrations())
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.Version != i+1 {
			t.Errorf("migration %d has version %d; versions must run 1, 2, 3...", i, m.Version)
		}
	}
}

func TestOpenFails(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{"not a URL", "postgres://%zz"},
		{"no server", "postgres:///x?host=" + t.TempDir() + "&connect_timeout=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(t.Context(), tt.url, nil)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
		})
	}
}

// migrationsBefore returns the embedded migrations older than version.
func migrationsBefore(t *testing.T, version int) fstest.MapFS {
	t.Helper()
	ms, err := schema.Load(embeddedMigrations())
	if err != nil {
		t.Fatal(err)
	}
	out := fstest.MapFS{}
	for _, m := range ms {
		if m.Version < version {
			out[fmt.Sprintf("%04d_%s.sql", m.Version, m.Name)] = &fstest.MapFile{Data: []byte(m.SQL)}
		}
	}
	return out
}

// TestParentBackfill: migration 0004 gives the runs created before it the
// parent their state records, and none to the others.
func TestParentBackfill(t *testing.T) {
	ctx := t.Context()
	logger := slog.New(slog.DiscardHandler)
	pool, err := newPool(t)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrate(ctx, pool, migrationsBefore(t, 4), logger); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{
		// A NUL in the input, as Go's encoder writes it.
		"child":    `{"workflowId":"c","input":"a\u0000b","parent":{"workflowId":"pw","runId":"pr","initiatedEventId":5}}`,
		"none":     `{"workflowId":"p"}`,
		"mentions": `{"workflowId":"m","input":"\"parent\":{}"}`,
		// Not a NUL: an escaped backslash, then text.
		"backslash": `{"workflowId":"b","input":"\\u0000","parent":{"workflowId":"pw","runId":"pr","initiatedEventId":5}}`,
	}
	for runID, state := range states {
		if _, err := pool.Exec(ctx, `INSERT INTO executions (domain, workflow_id, run_id, version, open, state,
			type_name, type_version, started_at) VALUES ('d', $1, $1, 1, false, $2, 't', '1', 0)`, runID, []byte(state)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := migrate(ctx, pool, embeddedMigrations(), logger); err != nil {
		t.Fatal(err)
	}
	for runID := range states {
		var wid, rid *string
		if err := pool.QueryRow(ctx, `SELECT parent_workflow_id, parent_run_id FROM executions WHERE run_id = $1`, runID).Scan(&wid, &rid); err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(deref(wid), "/", deref(rid))
		want := "<nil>/<nil>"
		if runID == "child" || runID == "backslash" {
			want = "pw/pr"
		}
		if got != want {
			t.Errorf("run %q: parent %s, want %s", runID, got, want)
		}
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// TestOpenChecksSchema: without Migrate, OpenWith refuses a database that
// lacks migrations, naming openswf migrate, and opens it once Migrate has
// applied them (and a second Migrate applies nothing); a database a newer
// openswf migrated is refused with or without Migrate.
func TestOpenChecksSchema(t *testing.T) {
	ctx := t.Context()
	url := pg.Database(t)
	var outdated *schema.OutdatedError
	if _, err := OpenWith(ctx, url, nil, Options{}); !errors.As(err, &outdated) || !strings.Contains(err.Error(), "openswf migrate") {
		t.Fatalf("opening a new database without migrating: %v, want an OutdatedError naming openswf migrate", err)
	}
	all, err := schema.Load(embeddedMigrations())
	if err != nil {
		t.Fatal(err)
	}
	done, err := Migrate(ctx, url, nil)
	if err != nil || len(done) != len(all) {
		t.Fatalf("Migrate applied %d of %d: %v", len(done), len(all), err)
	}
	if done, err := Migrate(ctx, url, nil); err != nil || len(done) != 0 {
		t.Fatalf("a second Migrate applied %+v, %v", done, err)
	}
	s, err := OpenWith(ctx, url, nil, Options{})
	if err != nil {
		t.Fatalf("opening a current database: %v", err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	var newer *schema.NewerError
	for _, migrate := range []bool{false, true} {
		if _, err := OpenWith(ctx, url, nil, Options{Migrate: migrate}); !errors.As(err, &newer) || !slices.Equal(newer.Unknown, []int{999}) {
			t.Errorf("opening a newer database (migrate %v): %v, want a NewerError naming 0999", migrate, err)
		}
	}
}

// TestPoolOptions: the pool's size and the statement timeout reach the
// connections.
func TestPoolOptions(t *testing.T) {
	ctx := t.Context()
	s, err := OpenWith(ctx, pg.Database(t), nil, Options{Migrate: true, MaxConns: 3, StatementTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.pool.Config().MaxConns; got != 3 {
		t.Errorf("MaxConns = %d, want 3", got)
	}
	var timeout string
	if err := s.pool.QueryRow(ctx, `SHOW statement_timeout`).Scan(&timeout); err != nil || timeout != "200ms" {
		t.Errorf("statement_timeout = %q, %v; want 200ms", timeout, err)
	}
	began := time.Now()
	_, err = s.pool.Exec(ctx, `SELECT pg_sleep(5)`)
	if err == nil || time.Since(began) > 2*time.Second {
		t.Errorf("a 5 s statement under a 200 ms timeout: %v after %v", err, time.Since(began))
	}
}
