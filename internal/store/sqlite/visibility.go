package sqlite

import (
	"context"
	"strings"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

// The visibility queries read only the columns SWF filters on or reports
// (the parent's, from migration 0004), never the state: listing a thousand
// runs decodes no blob. Migrations 0003 and 0005 hold their indexes.

// visibilityCols is execCols with the state left out: an empty blob that
// scanExecution turns into nil.
const visibilityCols = `e.domain, e.workflow_id, e.run_id, e.version, e.open, X'', e.type_name, e.type_version,
	e.started_at, e.closed_at, e.close_status, e.tag_list, e.cancel_requested, e.parent_workflow_id, e.parent_run_id`

// ListExecutions implements store.ExecutionStore.
func (s *Store) ListExecutions(ctx context.Context, q store.ExecutionQuery) ([]store.Execution, error) {
	query, args := listQuery(q)
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

// listQuery is ListExecutions's statement: a range of one index of
// migration 0005 (of execution_tags for a tag filter, joined to the runs
// by run id), from the page position on, in the index's order, so a page
// reads its own rows and no others.
func listQuery(q store.ExecutionQuery) (string, []any) {
	v := visibilityWhere(q, true)
	dir := pick(q.Ascending, "ASC", "DESC")
	query := `SELECT ` + visibilityCols + ` FROM ` + v.from + ` WHERE ` + strings.Join(v.where, ` AND `) +
		` ORDER BY ` + v.col + ` ` + dir + `, ` + v.alias + `.run_id ` + dir + ` LIMIT ?`
	return query, append(v.args, sqlLimit(q.Limit))
}

// CountExecutions implements store.ExecutionStore.
func (s *Store) CountExecutions(ctx context.Context, q store.ExecutionQuery) (int, error) {
	query, args := countQuery(q)
	var n int
	if err := s.read.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, s.dbErr(ctx, "count executions", err)
	}
	return n, nil
}

// countQuery is CountExecutions's statement: a count of a range of one
// index that reads no row of the table, stopped after q.CountLimit rows
// when that is set.
func countQuery(q store.ExecutionQuery) (string, []any) {
	v := visibilityWhere(q, false)
	query := `SELECT 1 FROM ` + v.from + ` WHERE ` + strings.Join(v.where, ` AND `)
	if q.CountLimit <= 0 {
		return `SELECT COUNT(*) FROM (` + query + `)`, v.args
	}
	return `SELECT COUNT(*) FROM (` + query + ` LIMIT ?)`, append(v.args, q.CountLimit)
}

// visibility is a visibility query taken apart: what it reads (a table
// named by alias, through the index it names), its conditions and their
// arguments, and the time column it is ordered by.
type visibility struct {
	from  string
	alias string
	where []string
	args  []any
	col   string
}

// visibilityWhere takes q apart. The index is the one of migration 0005
// whose equality columns are q's narrowing filter (the first that is set,
// in the order below; the others, which SWF never sets with it, are
// conditions on the rows), then "open" and the time q is ordered by.
// Every condition the index can serve is written on its table's columns;
// the open state is a literal, "open = 0" or "open = 1", an equality on
// the index's column. The close time always has a lower bound, which
// tells SQLite that the partial indexes by close time apply.
//
// A tag filter reads execution_tags, joined to the runs for a list or
// when another filter needs their columns; a count by tag alone reads the
// tag rows only.
func visibilityWhere(q store.ExecutionQuery, list bool) visibility {
	byClose := q.Closed && q.ByClose
	when := pick(byClose, "close", "start")
	v := visibility{alias: `e`, col: pick(byClose, `closed_at`, `started_at`)}
	var index string
	switch {
	case q.Tag != nil:
		v.alias, index = `t`, `execution_tags_by_`+when
	case q.WorkflowID != "":
		index = `executions_by_workflow_` + when
	case q.TypeName != "" && q.TypeVersion != "":
		index = `executions_by_type_` + when
	case q.TypeName != "":
		index = `executions_by_name_` + when
	case q.CloseStatus != "":
		index = `executions_by_status_` + when
	case byClose:
		index = `executions_by_close_time`
	default:
		index = `executions_by_start`
	}
	a := v.alias + `.`
	v.col = a + v.col
	if q.Tag != nil {
		v.from = `execution_tags t INDEXED BY ` + index
		if list || q.WorkflowID != "" || q.TypeName != "" || q.CloseStatus != "" {
			v.from += ` JOIN executions e ON e.run_id = t.run_id`
		}
	} else {
		v.from = `executions e INDEXED BY ` + index
	}
	v.where = []string{a + `domain = ?`, a + pick(q.Closed, `open = 0`, `open = 1`)}
	v.args = []any{q.Domain}
	if q.Tag != nil {
		v.where = append(v.where, `t.tag = ?`)
		v.args = append(v.args, *q.Tag)
	}
	// A page position moves the time bound on its side to its time, when
	// that is narrower: SQLite starts the range at that bound (or at the
	// position itself, the same place but for the runs that tie with it),
	// not wherever the window starts.
	position := list && q.AfterRunID != ""
	after := columns.Millis(q.AfterTime)
	oldest, latest, bounded := columns.Millis(q.Oldest), columns.Millis(q.Latest), !q.Latest.IsZero()
	if position && q.Ascending {
		oldest = max(oldest, after)
	}
	if position && !q.Ascending && (!bounded || after < latest) {
		latest, bounded = after, true
	}
	v.where = append(v.where, v.col+` >= ?`)
	v.args = append(v.args, oldest)
	if bounded {
		v.where = append(v.where, v.col+` <= ?`)
		v.args = append(v.args, latest)
	}
	if position {
		v.where = append(v.where, `(`+v.col+`, `+a+`run_id) `+pick(q.Ascending, ">", "<")+` (?, ?)`)
		v.args = append(v.args, after, q.AfterRunID)
	}
	if q.WorkflowID != "" {
		v.where = append(v.where, `e.workflow_id = ?`)
		v.args = append(v.args, q.WorkflowID)
	}
	if q.TypeName != "" {
		v.where = append(v.where, `e.type_name = ?`)
		v.args = append(v.args, q.TypeName)
		if q.TypeVersion != "" {
			v.where = append(v.where, `e.type_version = ?`)
			v.args = append(v.args, q.TypeVersion)
		}
	}
	if q.CloseStatus != "" {
		v.where = append(v.where, `e.close_status = ?`)
		v.args = append(v.args, q.CloseStatus)
	}
	return v
}
