package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

// The visibility queries read only the columns SWF filters on or reports
// (the parent's, from migration 0004), never the state: listing a thousand
// runs decodes no blob. Migration 0003 holds their indexes.

// visibilityCols is execCols with the state left out: an empty bytea that
// scanExecution turns into nil.
const visibilityCols = `domain, workflow_id, run_id, version, open, ''::bytea, type_name, type_version,
	started_at, closed_at, close_status, tag_list, cancel_requested, parent_workflow_id, parent_run_id`

// ListExecutions implements store.ExecutionStore.
func (s *Store) ListExecutions(ctx context.Context, q store.ExecutionQuery) ([]store.Execution, error) {
	w, col := visibilityWhere(q)
	if q.AfterRunID != "" {
		w.conds = append(w.conds, `(`+col+`, run_id) `+pick(q.Ascending, ">", "<")+
			` (`+w.arg(columns.Millis(q.AfterTime))+`, `+w.arg(q.AfterRunID)+`)`)
	}
	dir := pick(q.Ascending, "ASC", "DESC")
	sql := `SELECT ` + visibilityCols + ` FROM executions` + w.String() + ` ORDER BY ` + col + ` ` + dir + `, run_id ` + dir
	if q.Limit > 0 {
		sql += ` LIMIT ` + w.arg(q.Limit)
	}
	rows, err := s.pool.Query(ctx, sql, w.args...)
	if err != nil {
		return nil, s.dbErr(ctx, "list executions", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Execution, error) { return scanExecution(row) })
	if err != nil {
		return nil, s.dbErr(ctx, "list executions", err)
	}
	return out, nil
}

// CountExecutions implements store.ExecutionStore.
func (s *Store) CountExecutions(ctx context.Context, q store.ExecutionQuery) (int, error) {
	w, _ := visibilityWhere(q)
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM executions`+w.String(), w.args...).Scan(&n); err != nil {
		return 0, s.dbErr(ctx, "count executions", err)
	}
	return n, nil
}

// visibilityWhere returns the conditions that select q's runs and the time
// column they are ordered by.
func visibilityWhere(q store.ExecutionQuery) (where, string) {
	var w where
	w.add(`domain = `, q.Domain)
	// Literal, not a parameter, so that the partial indexes apply.
	w.conds = append(w.conds, pick(q.Closed, `NOT open`, `open`))
	col := `started_at`
	if q.Closed && q.ByClose {
		col = `closed_at`
	}
	w.add(col+` >= `, columns.Millis(q.Oldest))
	if !q.Latest.IsZero() {
		w.add(col+` <= `, columns.Millis(q.Latest))
	}
	if q.WorkflowID != "" {
		w.add(`workflow_id = `, q.WorkflowID)
	}
	if q.TypeName != "" {
		w.add(`type_name = `, q.TypeName)
		if q.TypeVersion != "" {
			w.add(`type_version = `, q.TypeVersion)
		}
	}
	if q.Tag != nil {
		w.conds = append(w.conds, `tag_list @> ARRAY[`+w.arg(*q.Tag)+`::text]`)
	}
	if q.CloseStatus != "" {
		w.add(`close_status = `, q.CloseStatus)
	}
	return w, col
}
