package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

// The open runs of a domain are counted by a trigger into open_counts
// (migration 0008), spread over a few rows per domain so that starts and
// closes on several connections rarely wait for one another; a count is
// their sum.
const sqlOpenCount = `SELECT COALESCE(SUM(open), 0) FROM open_counts WHERE domain = $1`

// OpenCount implements store.ExecutionStore.
func (s *Store) OpenCount(ctx context.Context, domain string) (int, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, sqlOpenCount, domain).Scan(&n); err != nil {
		return 0, s.dbErr(ctx, "count open runs", err)
	}
	return int(n), nil
}

// checkOpenLimit fails a creating change whose run, written in tx, puts
// its domain past ch.OpenLimit; the transaction is then rolled back. The
// sum sees this transaction's own run and every committed one, not the
// runs other transactions are creating at this moment.
func (s *Store) checkOpenLimit(ctx context.Context, tx pgx.Tx, ch store.ExecutionChange) error {
	if ch.OpenLimit <= 0 {
		return nil
	}
	var n int64
	if err := tx.QueryRow(ctx, sqlOpenCount, ch.Execution.Domain).Scan(&n); err != nil {
		return s.dbErr(ctx, "count open runs", err)
	}
	if n > int64(ch.OpenLimit) {
		return fmt.Errorf("%w: domain %q has %d open runs", store.ErrLimit, ch.Execution.Domain, ch.OpenLimit)
	}
	return nil
}
