package sqlite

import (
	"context"
	"strings"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

// The visibility queries read only the columns SWF filters on or reports
// (the parent's, from migration 0004), never the state: listing a thousand
// runs decodes no blob. Migration 0003 holds their indexes.

// visibilityCols is execCols with the state left out: an empty blob that
// scanExecution turns into nil.
const visibilityCols = `domain, workflow_id, run_id, version, open, X'', type_name, type_version,
	started_at, closed_at, close_status, tag_list, cancel_requested, parent_workflow_id, parent_run_id`

// ListExecutions implements store.ExecutionStore.
func (s *Store) ListExecutions(ctx context.Context, q store.ExecutionQuery) ([]store.Execution, error) {
	where, args, col := visibilityWhere(q)
	if q.AfterRunID != "" {
		where = append(where, `(`+col+`, run_id) `+pick(q.Ascending, ">", "<")+` (?, ?)`)
		args = append(args, columns.Millis(q.AfterTime), q.AfterRunID)
	}
	dir := pick(q.Ascending, "ASC", "DESC")
	query := `SELECT ` + visibilityCols + ` FROM executions WHERE ` + strings.Join(where, ` AND `) +
		` ORDER BY ` + col + ` ` + dir + `, run_id ` + dir + ` LIMIT ?`
	args = append(args, sqlLimit(q.Limit))
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.dbErr(ctx, "list executions", err)
	}
	defer rows.Close()
	var out []store.Execution
	for rows.Next() {
		x, err := scanExecution(rows)
		if err != nil {
			return nil, s.dbErr(ctx, "list executions", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(ctx, "list executions", err)
	}
	return out, nil
}

// CountExecutions implements store.ExecutionStore.
func (s *Store) CountExecutions(ctx context.Context, q store.ExecutionQuery) (int, error) {
	where, args, _ := visibilityWhere(q)
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM executions WHERE `+strings.Join(where, ` AND `), args...).Scan(&n); err != nil {
		return 0, s.dbErr(ctx, "count executions", err)
	}
	return n, nil
}

// visibilityWhere returns the conditions and arguments that select q's runs
// and the time column they are ordered by.
func visibilityWhere(q store.ExecutionQuery) (where []string, args []any, col string) {
	where = []string{`domain = ?`}
	args = []any{q.Domain}
	// Literal, not a parameter, so that the partial indexes apply.
	where = append(where, pick(q.Closed, `NOT open`, `open`))
	col = `started_at`
	if q.Closed && q.ByClose {
		col = `closed_at`
	}
	where = append(where, col+` >= ?`)
	args = append(args, columns.Millis(q.Oldest))
	if !q.Latest.IsZero() {
		where = append(where, col+` <= ?`)
		args = append(args, columns.Millis(q.Latest))
	}
	if q.WorkflowID != "" {
		where = append(where, `workflow_id = ?`)
		args = append(args, q.WorkflowID)
	}
	if q.TypeName != "" {
		where = append(where, `type_name = ?`)
		args = append(args, q.TypeName)
		if q.TypeVersion != "" {
			where = append(where, `type_version = ?`)
			args = append(args, q.TypeVersion)
		}
	}
	if q.Tag != nil {
		where = append(where, `EXISTS (SELECT 1 FROM json_each(executions.tag_list) WHERE json_each.value = ?)`)
		args = append(args, *q.Tag)
	}
	if q.CloseStatus != "" {
		where = append(where, `close_status = ?`)
		args = append(args, q.CloseStatus)
	}
	return where, args, col
}
