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

// checkOpenLimit fails a creating change whose run, just written, puts its
// domain past ch.OpenLimit. It fails after the run's row is written, so
// that a second open run of the workflow id is refused as such first; the
// committer then redoes the batch without it (rare: only at the limit).
func (s *Store) checkOpenLimit(w *wtx, ch store.ExecutionChange) error {
	if ch.OpenLimit <= 0 {
		return nil
	}
	var n int
	if err := w.st.openCount.QueryRowContext(w.ctx, ch.Execution.Domain).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s.dbErr(w.ctx, "count open runs", err)
	}
	if n > ch.OpenLimit {
		return fmt.Errorf("%w: domain %q has %d open runs", store.ErrLimit, ch.Execution.Domain, ch.OpenLimit)
	}
	return nil
}
