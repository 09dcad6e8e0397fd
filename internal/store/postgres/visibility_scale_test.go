package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/storetest"
)

// TestVisibilityScale times the visibility queries on a large domain and
// prints their plans (see storetest.VisibilityScale), on the test's own
// PostgreSQL (pgtest):
//
//	OPENSWF_VISIBILITY_SCALE=100000 go test -run TestVisibilityScale -v -timeout 1h ./internal/store/postgres/
func TestVisibilityScale(t *testing.T) {
	sc := storetest.ScaleFromEnv(t)
	ctx := t.Context()
	s, err := Open(ctx, pg.Database(t), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	begin := time.Now()
	bulkScale(t, s, sc)
	t.Logf("wrote %d closed and %d open runs in %v", sc.Closed, sc.Open, time.Since(begin).Round(time.Millisecond))
	// Below ten times the count limit, a count's range can be most of the
	// table, which the planner rightly reads whole; above, the limit
	// bounds every count to a range of an index.
	smallTable := sc.Closed+sc.Open < 10*store.CountLimit
	explain := func(ctx context.Context, q store.ExecutionQuery, count bool) (string, string) {
		plan, problem := s.explainVisibility(ctx, q, count)
		if count && smallTable && strings.HasPrefix(problem, "a scan: Seq Scan") && !strings.Contains(problem, ";") {
			t.Logf("    (a count reads the whole table, smaller than %d runs: %s)", 10*store.CountLimit, problem)
			problem = ""
		}
		return plan, problem
	}
	storetest.VisibilityScale(t, s, sc, explain, store.CountLimit)
}

// bulkScale writes the scale test's runs as storetest.ScaleRun describes
// them, as the store would write them (the trigger of migration 0005
// writes their tag rows), then vacuums and analyzes the tables, as
// autovacuum would after so many inserts.
func bulkScale(t *testing.T, s *Store, sc storetest.Scale) {
	statuses := `CASE (i / 3) % 6`
	for k, st := range storetest.ScaleStatuses {
		statuses += fmt.Sprintf(` WHEN %d THEN '%s'`, k, st)
	}
	statuses += ` END`
	started := func(n int) string {
		return fmt.Sprintf(`%d + i::bigint * %d / %d`, storetest.ScaleT0Millis, storetest.ScaleSpanMillis, n)
	}
	const tags = `CASE i % 3 WHEN 0 THEN '{}'::text[] WHEN 1 THEN ARRAY['g' || (i % 10)] ELSE ARRAY['g' || (i % 10), 'all'] END`
	const cols = `(run_id, domain, workflow_id, version, open, state, type_name, type_version,
		started_at, closed_at, close_status, tag_list, cancel_requested, parent_workflow_id, parent_run_id)`
	const types = `'type' || (i % 4), ((i / 4) % 2 + 1)::text`
	for _, q := range []string{
		`INSERT INTO executions ` + cols + `
			SELECT 'c' || i, '` + storetest.ScaleDomain + `', CASE WHEN i % 1000 = 0 THEN 'hot' ELSE 'w' || (i % ` + fmt.Sprint(storetest.ScaleWorkflows) + `) END,
				1, false, decode(repeat('00', 64), 'hex'), ` + types + `, ` + started(sc.Closed) + `, ` + started(sc.Closed) + ` + (i % 86400) * 1000,
				` + statuses + `, ` + tags + `, false, NULL, NULL FROM generate_series(1, ` + fmt.Sprint(sc.Closed) + `) AS i`,
		`INSERT INTO executions ` + cols + `
			SELECT 'o' || i, '` + storetest.ScaleDomain + `', 'ow' || i, 1, true, decode(repeat('00', 64), 'hex'), ` + types + `, ` + started(sc.Open) + `, NULL,
				'', ` + tags + `, false, NULL, NULL FROM generate_series(1, ` + fmt.Sprint(sc.Open) + `) AS i`,
		`VACUUM ANALYZE executions`,
		`VACUUM ANALYZE execution_tags`,
	} {
		if _, err := s.pool.Exec(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// explainVisibility is a storetest.Explainer: PostgreSQL's EXPLAIN of the
// statement, refused when it scans a table whole, or a list reads the
// table's order rather than an index's (a bitmap scan) or sorts. A count
// may read a range of an index through a bitmap, which the planner prefers
// when the range is a large part of the table.
func (s *Store) explainVisibility(ctx context.Context, q store.ExecutionQuery, count bool) (string, string) {
	query, args := listQuery(q)
	if count {
		query, args = countQuery(q)
	}
	rows, err := s.pool.Query(ctx, `EXPLAIN (COSTS OFF) `+query, args...)
	if err != nil {
		return "", err.Error()
	}
	defer rows.Close()
	var plan strings.Builder
	var nodes []string
	fmt.Fprintf(&plan, "%s\n", query)
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err.Error()
		}
		fmt.Fprintf(&plan, "%s\n", line)
		nodes = append(nodes, strings.TrimLeft(line, " ->"))
	}
	if err := rows.Err(); err != nil {
		return "", err.Error()
	}
	// A workflow id has at most one open run: the planner may read it
	// through the unique index executions_one_open and sort that one row.
	oneOpen := strings.Contains(plan.String(), "executions_one_open")
	var problems []string
	for _, node := range nodes {
		switch {
		case strings.HasPrefix(node, "Seq Scan"):
			problems = append(problems, "a scan: "+node)
		case strings.HasPrefix(node, "Bitmap") && !count:
			// A bitmap scan reads in the table's order, not the index's.
			problems = append(problems, "a bitmap scan: "+node)
		case (strings.HasPrefix(node, "Sort") || strings.HasPrefix(node, "Incremental Sort")) && !oneOpen:
			problems = append(problems, "a sort: "+node)
		}
	}
	return plan.String(), strings.Join(problems, "; ")
}
