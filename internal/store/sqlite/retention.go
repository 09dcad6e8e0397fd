package sqlite

import (
	"context"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

// sqlClosedBefore picks the runs DeleteClosed deletes: closed runs of a
// domain closed before a time, oldest first, that owe no work (no timer
// rows). The literal "NOT open" lets SQLite use the partial index
// executions_by_close (domain, closed_at, run_id) of migration 0003, so
// the pick is a range scan of that index in its own order, with no sort;
// each candidate's timers are one probe of the timers' primary key.
const sqlClosedBefore = `SELECT run_id FROM executions
	WHERE domain = ? AND NOT open AND closed_at < ?
		AND NOT EXISTS (SELECT 1 FROM timers WHERE timers.run_id = executions.run_id)
	ORDER BY closed_at, run_id LIMIT ?`

// runTables are the tables whose rows hang off a run (by run_id), deleted
// before the run's own row.
var runTables = []string{"history_events", "tasks", "timers", "activities"}

// DeleteClosed implements store.RetentionStore. It is one write request
// of the committer, so one batch holds the writer only for as long as its
// runs' rows take to delete, and other writes interleave between batches.
func (s *Store) DeleteClosed(ctx context.Context, domain string, closedBefore time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	var deleted []string
	err := s.do(ctx, "delete closed runs", false, func(w *wtx) error {
		const op = "delete closed runs"
		deleted = deleted[:0]
		rows, err := w.conn.QueryContext(w.ctx, sqlClosedBefore, domain, columns.Millis(closedBefore), limit)
		if err != nil {
			return s.dbErr(w.ctx, op, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return s.dbErr(w.ctx, op, err)
			}
			deleted = append(deleted, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s.dbErr(w.ctx, op, err)
		}
		if len(deleted) == 0 {
			return nil
		}
		in := `(?` + strings.Repeat(`, ?`, len(deleted)-1) + `)`
		args := make([]any, len(deleted))
		for i, id := range deleted {
			args[i] = id
		}
		for _, table := range runTables {
			if _, err := w.exec(`DELETE FROM `+table+` WHERE run_id IN `+in, args...); err != nil {
				return s.dbErr(w.ctx, op, err)
			}
		}
		// "NOT open" again: the rows were picked in this very transaction,
		// but the guard costs nothing and keeps an open run safe whatever
		// the pick says.
		if _, err := w.exec(`DELETE FROM executions WHERE NOT open AND run_id IN `+in, args...); err != nil {
			return s.dbErr(w.ctx, op, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return deleted, nil
}

var _ store.RetentionStore = (*Store)(nil)
