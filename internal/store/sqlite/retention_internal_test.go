package sqlite

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store/storetest"
)

var _ storetest.RowCounter = (*Store)(nil)

// RunRows implements storetest.RowCounter: it counts a run's rows in every
// table with a run_id column, found in the schema itself.
func (s *Store) RunRows(t *testing.T, runID string) map[string]int {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND p.name = 'run_id'`)
	if err != nil {
		t.Fatalf("listing tables: %v", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatalf("listing tables: %v", err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 5 {
		t.Fatalf("found only tables %v with a run_id column", tables)
	}
	out := map[string]int{}
	for _, table := range tables {
		var n int
		if err := s.read.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM "`+table+`" WHERE run_id = ?`, runID).Scan(&n); err != nil {
			t.Fatalf("counting %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// TestDeleteClosedPlan: DeleteClosed picks its runs by a range scan of an
// index in the index's order (no table scan, no sort), and checks each
// candidate's timers by primary key.
func TestDeleteClosedPlan(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "openswf.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	rows, err := s.read.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+sqlClosedBefore, "d", time.Now().UnixMilli(), 100)
	if err != nil {
		t.Fatalf("EXPLAIN: %v", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatalf("EXPLAIN: %v", err)
		}
		plan = append(plan, detail)
	}
	text := strings.Join(plan, "\n")
	t.Logf("plan:\n%s", text)
	if !strings.Contains(text, "SEARCH executions USING COVERING INDEX executions_by_close_time (domain=? AND open=? AND closed_at<?)") &&
		!strings.Contains(text, "SEARCH executions USING INDEX executions_by_close_time (domain=? AND open=? AND closed_at<?)") {
		t.Errorf("the pick is not a range scan of executions_by_close_time")
	}
	if strings.Contains(text, "TEMP B-TREE") {
		t.Errorf("the pick sorts its rows")
	}
	if strings.Contains(text, "SCAN ") {
		t.Errorf("the pick scans a table")
	}
}
