package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store/storetest"
)

var _ storetest.RowCounter = (*Store)(nil)

// RunRows implements storetest.RowCounter: it counts a run's rows in every
// table with a run_id column, found in the schema itself.
func (s *Store) RunRows(t *testing.T, runID string) map[string]int {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), `SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'run_id'`)
	if err != nil {
		t.Fatalf("listing tables: %v", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("listing tables: %v", err)
	}
	if len(tables) < 5 {
		t.Fatalf("found only tables %v with a run_id column", tables)
	}
	out := map[string]int{}
	for _, table := range tables {
		var n int
		if err := s.pool.QueryRow(t.Context(), `SELECT COUNT(*) FROM `+pgx.Identifier{table}.Sanitize()+` WHERE run_id = $1`, runID).Scan(&n); err != nil {
			t.Fatalf("counting %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// TestDeleteClosedPlan: DeleteClosed can pick its runs by a range scan of
// executions_by_close in the index's order. (On a near-empty table the
// planner rightly prefers a sequential scan, so it is told not to.)
func TestDeleteClosedPlan(t *testing.T) {
	s, err := Open(t.Context(), pg.Database(t), testLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	tx, err := s.pool.Begin(t.Context())
	if err != nil {
		t.Fatalf("Begin: %v", err)
	}
	defer tx.Rollback(t.Context())
	if _, err := tx.Exec(t.Context(), `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatalf("SET: %v", err)
	}
	rows, err := tx.Query(t.Context(), `EXPLAIN `+sqlClosedBefore, "d", time.Now().UnixMilli(), 100)
	if err != nil {
		t.Fatalf("EXPLAIN: %v", err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("EXPLAIN: %v", err)
	}
	text := strings.Join(plan, "\n")
	t.Logf("plan:\n%s", text)
	if !strings.Contains(text, "executions_by_close on executions") {
		t.Errorf("the pick does not use executions_by_close")
	}
	if strings.Contains(text, "Sort") {
		t.Errorf("the pick sorts its rows")
	}
}
