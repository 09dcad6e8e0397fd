package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/openswf/openswf/internal/store"
)

// The open runs of a domain are counted by triggers into open_counts
// (migration 0008), so a start checks its domain's limit by reading one
// row, inside its own transaction: with one writer, the check is exact.
const sqlOpenCount = `SELECT open FROM open_counts WHERE domain = ?`

// OpenCount implements store.ExecutionStore.
func (s *Store) OpenCount(ctx context.Context, domain string) (int, error) {
	var n int
	err := s.reads.openCount.QueryRowContext(ctx, domain).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.dbErr(ctx, "count open runs", err)
	}
	return n, nil
}

// checkOpenLimit fails a creating change whose run would put its domain
// past ch.OpenLimit, before anything is written, so that a start refused
// at the limit never makes the committer redo its batch. At the limit it
// answers as the insert would have first: ErrExists for an open run of the
// workflow id (or a reused run id), ErrLimit otherwise.
func (s *Store) checkOpenLimit(w *wtx, ch store.ExecutionChange) error {
	x := ch.Execution
	if ch.OpenLimit <= 0 || !x.Open {
		return nil
	}
	var n int
	if err := w.st.openCount.QueryRowContext(w.ctx, x.Domain).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s.dbErr(w.ctx, "count open runs", err)
	}
	if n < ch.OpenLimit {
		return nil
	}
	var taken bool
	if err := w.queryRow(`SELECT EXISTS (SELECT 1 FROM executions WHERE domain = ? AND workflow_id = ? AND open)
		OR EXISTS (SELECT 1 FROM executions WHERE run_id = ?)`, x.Domain, x.WorkflowID, x.RunID).Scan(&taken); err != nil {
		return s.dbErr(w.ctx, "count open runs", err)
	}
	if taken {
		return fmt.Errorf("%w: an open run of workflow %q in domain %q, or run %s", store.ErrExists, x.WorkflowID, x.Domain, x.RunID)
	}
	return fmt.Errorf("%w: domain %q has %d open runs", store.ErrLimit, x.Domain, ch.OpenLimit)
}
