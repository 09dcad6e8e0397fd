package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

// The visibility queries read only the columns SWF filters on or reports
// (the parent's, from migration 0004), never the state: listing a thousand
// runs decodes no blob. Migrations 0003 and 0005 hold their indexes.

// visibilityCols is execCols with the state left out: an empty bytea that
// scanExecution turns into nil.
const visibilityCols = `e.domain, e.workflow_id, e.run_id, e.version, e.open, ''::bytea, e.type_name, e.type_version,
	e.started_at, e.closed_at, e.close_status, e.tag_list, e.cancel_requested, e.parent_workflow_id, e.parent_run_id`

// ListExecutions implements store.ExecutionStore.
func (s *Store) ListExecutions(ctx context.Context, q store.ExecutionQuery) ([]store.Execution, error) {
	sql, args := listQuery(q)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, s.dbErr(ctx, "list executions", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Execution, error) { return scanExecution(row) })
	if err != nil {
		return nil, s.dbErr(ctx, "list executions", err)
	}
	return out, nil
}

// listQuery is ListExecutions's statement: a range of one index of
// migration 0005 (of execution_tags for a tag filter, joined to the runs
// by run id), from the page position on, in the index's order, so a page
// reads its own rows and no others.
func listQuery(q store.ExecutionQuery) (string, []any) {
	w, from, alias, col := visibilityWhere(q, true)
	dir := pick(q.Ascending, "ASC", "DESC")
	sql := `SELECT ` + visibilityCols + ` FROM ` + from + w.String() +
		` ORDER BY ` + col + ` ` + dir + `, ` + alias + `.run_id ` + dir
	if q.Limit > 0 {
		sql += ` LIMIT ` + w.arg(q.Limit)
	}
	return sql, w.args
}

// CountExecutions implements store.ExecutionStore.
func (s *Store) CountExecutions(ctx context.Context, q store.ExecutionQuery) (int, error) {
	sql, args := countQuery(q)
	var n int
	if err := s.pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		return 0, s.dbErr(ctx, "count executions", err)
	}
	return n, nil
}

// countQuery is CountExecutions's statement: a count of a range of one
// index, stopped after q.CountLimit rows when that is set.
func countQuery(q store.ExecutionQuery) (string, []any) {
	w, from, _, _ := visibilityWhere(q, false)
	if q.CountLimit <= 0 {
		return `SELECT count(*) FROM ` + from + w.String(), w.args
	}
	sql := `SELECT count(*) FROM (SELECT 1 FROM ` + from + w.String() + ` LIMIT ` + w.arg(q.CountLimit) + `) c`
	return sql, w.args
}

// visibilityWhere takes q apart: what it reads, its conditions, the alias
// of the table whose index range it reads ("t", execution_tags, for a tag
// filter, else "e") and the time column it is ordered by. Every condition
// an index can serve is written on that table's columns; the open state is
// a literal equality, not a parameter, so that the planner knows it, and
// an equality on the indexes' column "open" (a bare "open" or "NOT open"
// would be rechecked on the row, which keeps a count from reading the
// index alone). A tag filter
// reads the tag rows, joined to the runs for a list or when another filter
// needs their columns; a count by tag alone reads the tag rows only.
//
// A page position (list only) moves the time bound on its side to its
// time when that is narrower, so the range starts there whichever of the
// two conditions the planner bounds it by.
func visibilityWhere(q store.ExecutionQuery, list bool) (w where, from, alias, col string) {
	alias, from = `e`, `executions e`
	if q.Tag != nil {
		alias, from = `t`, `execution_tags t`
		if list || q.WorkflowID != "" || q.TypeName != "" || q.CloseStatus != "" {
			from += ` JOIN executions e ON e.run_id = t.run_id`
		}
	}
	a := alias + `.`
	col = a + pick(q.Closed && q.ByClose, `closed_at`, `started_at`)
	w.add(a+`domain = `, q.Domain)
	w.conds = append(w.conds, a+pick(q.Closed, `open = false`, `open = true`))
	if q.Tag != nil {
		w.add(`t.tag = `, *q.Tag)
	}
	position := list && q.AfterRunID != ""
	after := columns.Millis(q.AfterTime)
	oldest, latest, bounded := columns.Millis(q.Oldest), columns.Millis(q.Latest), !q.Latest.IsZero()
	if position && q.Ascending {
		oldest = max(oldest, after)
	}
	if position && !q.Ascending && (!bounded || after < latest) {
		latest, bounded = after, true
	}
	w.add(col+` >= `, oldest)
	if bounded {
		w.add(col+` <= `, latest)
	}
	if position {
		w.conds = append(w.conds, `(`+col+`, `+a+`run_id) `+pick(q.Ascending, ">", "<")+
			` (`+w.arg(after)+`, `+w.arg(q.AfterRunID)+`)`)
	}
	if q.WorkflowID != "" {
		w.add(`e.workflow_id = `, q.WorkflowID)
	}
	if q.TypeName != "" {
		w.add(`e.type_name = `, q.TypeName)
		if q.TypeVersion != "" {
			w.add(`e.type_version = `, q.TypeVersion)
		}
	}
	if q.CloseStatus != "" {
		w.add(`e.close_status = `, q.CloseStatus)
	}
	return w, from, alias, col
}
