package postgres

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

// A timer is next of interest when it is due or, while another node's
// claim on it lasts, when that claim ends (migration 0009's index).
const timerDue = `GREATEST(fire_at, COALESCE(claim_until, 0))`

// sqlClaimTimers claims the due timers no live claim holds, soonest
// first. SKIP LOCKED passes over rows another node is claiming or firing
// at this moment, so nodes never wait on each other here.
const sqlClaimTimers = `UPDATE timers t SET claim_until = $2
	FROM (SELECT run_id, key FROM timers WHERE ` + timerDue + ` <= $1
		ORDER BY ` + timerDue + `, run_id, key LIMIT $3 FOR UPDATE SKIP LOCKED) due
	WHERE t.run_id = due.run_id AND t.key = due.key
	RETURNING t.domain, t.workflow_id, t.run_id, t.key, t.fire_at`

// ClaimDueTimers implements store.TimerClaimer.
func (s *Store) ClaimDueTimers(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]store.Timer, error) {
	rows, err := s.pool.Query(ctx, sqlClaimTimers, columns.Millis(now), columns.Millis(now.Add(lease)), pgLimit(limit))
	if err != nil {
		return nil, s.dbErr(ctx, "claim due timers", err)
	}
	out, err := pgx.CollectRows(rows, scanTimer)
	if err != nil {
		return nil, s.dbErr(ctx, "claim due timers", err)
	}
	// UPDATE ... RETURNING gives no order; soonest first, as promised.
	sortTimers(out)
	return out, nil
}

var _ store.TimerClaimer = (*Store)(nil)

// sortTimers orders timers as DueTimers does: by due time, run id, key.
func sortTimers(ts []store.Timer) {
	slices.SortFunc(ts, func(a, b store.Timer) int {
		return cmp.Or(a.FireAt.Compare(b.FireAt), strings.Compare(a.RunID, b.RunID), strings.Compare(a.Key, b.Key))
	})
}
