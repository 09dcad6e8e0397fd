package store

import (
	"context"
	"time"
)

// RetentionStore forgets closed runs once their domain's retention period
// has passed (SWF's workflowExecutionRetentionPeriodInDays).
type RetentionStore interface {
	// DeleteClosed deletes at most limit closed runs of domain that closed
	// before closedBefore, oldest close first, with every row that hangs
	// off them: history, tasks, timers, activity rows. It returns the run
	// ids it deleted. Each run disappears in one transaction: before it,
	// every lookup, list and count finds the run whole; after it, none
	// finds it.
	//
	// It never deletes an open run or a run of another domain, and it
	// skips a closed run that still has timer rows: those are work the run
	// owes another run (a closed child's news for its parent, a closed
	// parent's child policy), which must be carried out first. Fewer than
	// limit runs may come back while more qualify: SQLite keeps each
	// transaction to a bounded number of history rows (a longer run goes
	// alone, its history deleted in further transactions once it is out of
	// sight), and PostgreSQL skips the runs being changed at that very
	// moment. Only an empty answer says none is left. limit <= 0 deletes
	// nothing.
	DeleteClosed(ctx context.Context, domain string, closedBefore time.Time, limit int) ([]string, error)
}
