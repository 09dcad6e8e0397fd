package store

import (
	"context"
	"time"
)

// RetentionStore forgets closed runs once their domain's retention period
// has passed (SWF's workflowExecutionRetentionPeriodInDays).
type RetentionStore interface {
	// DeleteClosed deletes, in one transaction, at most limit closed runs
	// of domain that closed before closedBefore, oldest close first, with
	// every row that hangs off them: history, tasks, timers, activity
	// rows. It returns the run ids it deleted.
	//
	// It never deletes an open run or a run of another domain, and it
	// skips a closed run that still has timer rows: those are work the run
	// owes another run (a closed child's news for its parent, a closed
	// parent's child policy), which must be carried out first. Fewer than
	// limit runs come back when no more qualify, or (PostgreSQL) when the
	// rest are being changed at that very moment; limit <= 0 deletes
	// nothing.
	DeleteClosed(ctx context.Context, domain string, closedBefore time.Time, limit int) ([]string, error)
}
