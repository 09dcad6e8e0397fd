package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/schema"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, "_txlock=immediate"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func versions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
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
		"0001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);`)},
		"README.md":  {Data: []byte(`not a migration`)},
	}
	second := fstest.MapFS{
		"0001_a.sql": first["0001_a.sql"],
		// A second CREATE TABLE a would fail: 0001 must not run again.
		"0002_b.sql": {Data: []byte(`CREATE TABLE b (y TEXT); INSERT INTO a VALUES (2);`)},
	}
	broken := fstest.MapFS{
		"0001_a.sql": first["0001_a.sql"],
		"0002_b.sql": second["0002_b.sql"],
		// The first statement succeeds, the second fails: neither may stay.
		"0003_c.sql": {Data: []byte(`CREATE TABLE c (z INTEGER); INSERT INTO nowhere VALUES (1);`)},
	}

	db := openRaw(t, filepath.Join(t.TempDir(), "m.db"))
	ctx := t.Context()
	if _, err := migrate(ctx, db, first, logger); err != nil {
		t.Fatal(err)
	}
	done, err := migrate(ctx, db, second, logger)
	if err != nil || len(done) != 1 || done[0].Version != 2 {
		t.Fatalf("migrating to 0002 applied %+v, %v; want 0002 alone", done, err)
	}
	if done, err := migrate(ctx, db, second, logger); err != nil || len(done) != 0 {
		t.Fatalf("re-running finished migrations: %+v, %v", done, err)
	}
	// A binary that knows only 0001 refuses the file, and writes nothing.
	var newer *schema.NewerError
	if _, err := migrate(ctx, db, first, logger); !errors.As(err, &newer) || !slices.Equal(newer.Unknown, []int{2}) || newer.Known != 1 {
		t.Fatalf("an older binary's migrate: %v, want a NewerError naming 0002", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM a`).Scan(&n); err != nil || n != 2 {
		t.Errorf("rows in a = %d, %v; want 2 (each migration once)", n, err)
	}
	_, err = migrate(ctx, db, broken, logger)
	if err == nil || !strings.Contains(err.Error(), "0003_c") {
		t.Fatalf("broken migration: got %v, want an error naming it", err)
	}
	if got := versions(t, db); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("recorded versions = %v, want [1 2]", got)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM c`).Scan(&n); err == nil {
		t.Error("table c of the failed migration exists")
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

// TestOpen checks what Open promises beyond the contract: the directory is
// made, and the connections are set up for durability and one writer.
func TestOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b?c%d", "openswf.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the path given: %v", err)
	}
	// The write connection is the committer's; it is idle here.
	pragmas := []struct {
		db interface {
			QueryRowContext(context.Context, string, ...any) *sql.Row
		}
		name string
		want string
	}{
		{s.wconn, "journal_mode", "wal"},
		{s.wconn, "synchronous", "1"}, // NORMAL: the syncer fsyncs the WAL (committer.go)
		{s.wconn, "foreign_keys", "1"},
		{s.wconn, "busy_timeout", "10000"},
		{s.read, "query_only", "1"},
		{s.read, "foreign_keys", "1"},
	}
	for _, p := range pragmas {
		var got string
		if err := p.db.QueryRowContext(t.Context(), "PRAGMA "+p.name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != p.want {
			t.Errorf("PRAGMA %s = %s, want %s", p.name, got, p.want)
		}
	}
	if got := s.write.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer pool allows %d connections, want 1", got)
	}
	if got := versions(t, s.read); len(got) == 0 {
		t.Error("no migrations recorded")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopening finds the schema current and applies nothing.
	s, err = Open(t.Context(), path, nil)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	s.Close()
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
	db := openRaw(t, filepath.Join(t.TempDir(), "m.db"))
	if _, err := migrate(ctx, db, migrationsBefore(t, 4), logger); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{
		"child":    `{"workflowId":"c","input":"a\u0000b","parent":{"workflowId":"pw","runId":"pr","initiatedEventId":5}}`,
		"none":     `{"workflowId":"p"}`,
		"mentions": `{"workflowId":"m","input":"\"parent\":{}"}`,
		"not json": `"parent"{`,
		"empty":    ``,
	}
	for runID, state := range states {
		if _, err := db.ExecContext(ctx, `INSERT INTO executions (domain, workflow_id, run_id, version, open, state,
			type_name, type_version, started_at) VALUES ('d', ?, ?, 1, 0, ?, 't', '1', 0)`, runID, runID, []byte(state)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := migrate(ctx, db, embeddedMigrations(), logger); err != nil {
		t.Fatal(err)
	}
	for runID := range states {
		var wid, rid sql.NullString
		if err := db.QueryRowContext(ctx, `SELECT parent_workflow_id, parent_run_id FROM executions WHERE run_id = ?`, runID).Scan(&wid, &rid); err != nil {
			t.Fatal(err)
		}
		want := [2]sql.NullString{}
		if runID == "child" {
			want = [2]sql.NullString{{String: "pw", Valid: true}, {String: "pr", Valid: true}}
		}
		if got := [2]sql.NullString{wid, rid}; got != want {
			t.Errorf("run %q: parent %v, want %v", runID, got, want)
		}
	}
}

// TestOpenCountsBackfill: migration 0008 counts the open runs each domain
// has when it runs, closed runs aside, and the triggers go on from there.
func TestOpenCountsBackfill(t *testing.T) {
	ctx := t.Context()
	logger := slog.New(slog.DiscardHandler)
	path := filepath.Join(t.TempDir(), "m.db")
	db := openRaw(t, path)
	if _, err := migrate(ctx, db, migrationsBefore(t, 8), logger); err != nil {
		t.Fatal(err)
	}
	for i, r := range []struct {
		domain string
		open   int
	}{{"a", 1}, {"a", 1}, {"a", 0}, {"b", 0}, {"c", 1}} {
		if _, err := db.ExecContext(ctx, `INSERT INTO executions (domain, workflow_id, run_id, version, open, state,
			type_name, type_version, started_at) VALUES (?, ?, ?, 1, ?, x'', 't', '1', 0)`, r.domain, fmt.Sprint("w", i), fmt.Sprint("r", i), r.open); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := migrate(ctx, db, embeddedMigrations(), logger); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE executions SET open = 0, closed_at = 1 WHERE run_id = 'r0'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, path, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for d, want := range map[string]int{"a": 1, "b": 0, "c": 1} {
		if n, err := s.OpenCount(ctx, d); err != nil || n != want {
			t.Errorf("OpenCount(%s) = %d, %v; want %d", d, n, err, want)
		}
	}
}

// TestLastEventBackfill: migration 0009 gives each run the id of its last
// stored event (0 with none), and the store goes on from there: the next
// change must follow that event.
func TestLastEventBackfill(t *testing.T) {
	ctx := t.Context()
	logger := slog.New(slog.DiscardHandler)
	path := filepath.Join(t.TempDir(), "m.db")
	db := openRaw(t, path)
	if _, err := migrate(ctx, db, migrationsBefore(t, 9), logger); err != nil {
		t.Fatal(err)
	}
	for i, events := range []int{3, 0, 1} {
		if _, err := db.ExecContext(ctx, `INSERT INTO executions (domain, workflow_id, run_id, version, open, state,
			type_name, type_version, started_at) VALUES ('d', ?, ?, 1, 1, x'', 't', '1', 0)`, fmt.Sprint("w", i), fmt.Sprint("r", i)); err != nil {
			t.Fatal(err)
		}
		for id := 1; id <= events; id++ {
			if _, err := db.ExecContext(ctx, `INSERT INTO history_events (run_id, event_id, data) VALUES (?, ?, x'7b7d')`, fmt.Sprint("r", i), id); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := migrate(ctx, db, embeddedMigrations(), logger); err != nil {
		t.Fatal(err)
	}
	for run, want := range map[string]int64{"r0": 3, "r1": 0, "r2": 1} {
		var got int64
		if err := db.QueryRowContext(ctx, `SELECT last_event FROM executions WHERE run_id = ?`, run).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("run %s: last_event %d, want %d", run, got, want)
		}
	}
	db.Close()
	s, err := Open(ctx, path, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	x, _, err := s.GetRun(ctx, "r0")
	if err != nil {
		t.Fatal(err)
	}
	change := func(first int64) store.ExecutionChange {
		y := x
		y.Version = x.Version + 1
		return store.ExecutionChange{Execution: y, ExpectedVersion: x.Version, Events: []store.Event{{ID: first, Data: []byte(`{}`)}}}
	}
	if err := s.UpdateExecution(ctx, change(3)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("an event written twice: %v, want a conflict", err)
	}
	if err := s.UpdateExecution(ctx, change(4)); err != nil {
		t.Fatalf("the event after the backfilled last: %v", err)
	}
}
