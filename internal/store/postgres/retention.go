package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

// sqlClosedBefore picks the runs DeleteClosed deletes: closed runs of a
// domain closed before a time, oldest first, that owe no work (no timer
// rows). The partial index executions_by_close (domain, closed_at,
// run_id) WHERE NOT open of migration 0003 serves it as a range scan in
// its own order. FOR UPDATE locks the picked rows until the deletion
// commits; every change to a run updates its executions row first, so a
// change racing the deletion either commits before the pick (and the
// pick sees it) or waits and then finds the run gone. SKIP LOCKED leaves
// a run being changed at this moment to the next sweep rather than wait
// for it.
const sqlClosedBefore = `SELECT run_id FROM executions e
	WHERE domain = $1 AND NOT open AND closed_at < $2
		AND NOT EXISTS (SELECT 1 FROM timers t WHERE t.run_id = e.run_id)
	ORDER BY closed_at, run_id LIMIT $3
	FOR UPDATE SKIP LOCKED`

// DeleteClosed implements store.RetentionStore.
func (s *Store) DeleteClosed(ctx context.Context, domain string, closedBefore time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	const op = "delete closed runs"
	var deleted []string
	err := s.inTx(ctx, op, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sqlClosedBefore, domain, columns.Millis(closedBefore), limit)
		if err != nil {
			return s.dbErr(ctx, op, err)
		}
		deleted, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return s.dbErr(ctx, op, err)
		}
		if len(deleted) == 0 {
			return nil
		}
		// The rows that hang off a run go first: they reference it.
		var b pgx.Batch
		for _, table := range []string{"history_events", "tasks", "timers", "activities"} {
			b.Queue(`DELETE FROM `+table+` WHERE run_id = ANY ($1)`, deleted)
		}
		b.Queue(`DELETE FROM executions WHERE NOT open AND run_id = ANY ($1)`, deleted)
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return s.dbErr(ctx, op, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return deleted, nil
}

var _ store.RetentionStore = (*Store)(nil)
