package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestTimerPlans: the next wake-up and the claim read timers_by_due in
// its order, not the whole table. (On a near-empty table the planner
// rightly prefers a sequential scan, so it is told not to.)
func TestTimerPlans(t *testing.T) {
	s, err := Open(t.Context(), pg.Database(t), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tx, err := s.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(t.Context())
	if _, err := tx.Exec(t.Context(), `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	for _, q := range []struct {
		name, sql string
		args      []any
	}{
		{"next timer", `SELECT min(` + timerDue + `) FROM timers`, nil},
		{"claim", sqlClaimTimers, []any{now, now + 5000, 64}},
	} {
		rows, err := tx.Query(t.Context(), `EXPLAIN `+q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: EXPLAIN: %v", q.name, err)
		}
		plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "timers_by_due") || strings.Contains(text, "Sort") {
			t.Errorf("%s does not read timers_by_due in order:\n%s", q.name, text)
		}
	}
}
