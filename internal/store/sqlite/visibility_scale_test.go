package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/storetest"
)

// TestVisibilityScale times the visibility queries on a large domain and
// prints their plans (see storetest.VisibilityScale):
//
//	OPENSWF_VISIBILITY_SCALE=1000000 go test -run TestVisibilityScale -v -timeout 1h ./internal/store/sqlite/
//
// OPENSWF_VISIBILITY_DB names a database file to keep and reuse between
// runs (built when missing), else the store lives in a temporary directory.
func TestVisibilityScale(t *testing.T) {
	sc := storetest.ScaleFromEnv(t)
	path := os.Getenv("OPENSWF_VISIBILITY_DB")
	if path == "" {
		path = filepath.Join(t.TempDir(), "openswf.db")
	}
	ctx := t.Context()
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.GetRun(ctx, "c1"); err != nil {
		// The schema is in place; the rows are written past the store, in
		// one transaction on a connection of the test's own.
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		bulkScale(t, path, sc)
		t.Logf("wrote %d closed and %d open runs in %v", sc.Closed, sc.Open, time.Since(begin).Round(time.Millisecond))
		if s, err = Open(ctx, path, nil); err != nil {
			t.Fatal(err)
		}
	}
	defer s.Close()
	storetest.VisibilityScale(t, s, sc, s.explainVisibility, store.CountLimit)
}

// bulkScale writes the scale test's runs as storetest.ScaleRun describes
// them, as the store would write them (the triggers of migration 0005
// write their tag rows).
func bulkScale(t *testing.T, path string, sc storetest.Scale) {
	db, err := sql.Open("sqlite", dsn(path, "_pragma=journal_mode(WAL)", "_pragma=synchronous(OFF)", "_pragma=cache_size(-2000000)"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	statuses := `CASE (i / 3) % 6`
	for k, st := range storetest.ScaleStatuses {
		statuses += fmt.Sprintf(` WHEN %d THEN '%s'`, k, st)
	}
	statuses += ` END`
	started := func(n int) string {
		return fmt.Sprintf(`%d + i * %d / %d`, storetest.ScaleT0Millis, storetest.ScaleSpanMillis, n)
	}
	const tags = `CASE i % 3 WHEN 0 THEN '[]' WHEN 1 THEN '["g' || (i % 10) || '"]' ELSE '["g' || (i % 10) || '","all"]' END`
	const cols = `(run_id, domain, workflow_id, version, open, state, type_name, type_version,
		started_at, closed_at, close_status, tag_list, cancel_requested, parent_workflow_id, parent_run_id)`
	const types = `'type' || (i % 4), CAST((i / 4) % 2 + 1 AS TEXT)`
	series := func(n int) string {
		return fmt.Sprintf(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d) `, n)
	}
	for _, q := range []string{
		`BEGIN`,
		series(sc.Closed) + `INSERT INTO executions ` + cols + `
			SELECT 'c' || i, '` + storetest.ScaleDomain + `', CASE WHEN i % 1000 = 0 THEN 'hot' ELSE 'w' || (i % ` + fmt.Sprint(storetest.ScaleWorkflows) + `) END,
				1, 0, zeroblob(64), ` + types + `, ` + started(sc.Closed) + `, ` + started(sc.Closed) + ` + (i % 86400) * 1000,
				` + statuses + `, ` + tags + `, 0, NULL, NULL FROM c`,
		series(sc.Open) + `INSERT INTO executions ` + cols + `
			SELECT 'o' || i, '` + storetest.ScaleDomain + `', 'ow' || i, 1, 1, zeroblob(64), ` + types + `, ` + started(sc.Open) + `, NULL,
				'', ` + tags + `, 0, NULL, NULL FROM c`,
		`COMMIT`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// explainVisibility is a storetest.Explainer: SQLite's EXPLAIN QUERY PLAN
// of the statement, refused when it scans a table or an index whole, sorts,
// or (a count) reads the table.
func (s *Store) explainVisibility(ctx context.Context, q store.ExecutionQuery, count bool) (string, string) {
	query, args := listQuery(q)
	if count {
		query, args = countQuery(q)
	}
	rows, err := s.read.QueryContext(ctx, `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return "", err.Error()
	}
	defer rows.Close()
	var plan strings.Builder
	var problems []string
	fmt.Fprintf(&plan, "%s\n", query)
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err.Error()
		}
		fmt.Fprintf(&plan, "%s\n", detail)
		switch {
		case strings.HasPrefix(detail, "SCAN ") && !strings.HasPrefix(detail, "SCAN (subquery"):
			problems = append(problems, "a scan: "+detail)
		case strings.Contains(detail, "TEMP B-TREE"):
			problems = append(problems, "a sort: "+detail)
		case count && strings.HasPrefix(detail, "SEARCH ") && !strings.Contains(detail, "COVERING INDEX"):
			problems = append(problems, "a count that reads rows: "+detail)
		}
	}
	if err := rows.Err(); err != nil {
		return "", err.Error()
	}
	return plan.String(), strings.Join(problems, "; ")
}
