package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
	"github.com/openswf/openswf/internal/store/schema"
)

// The backlog of every task list is one pass over the index tasks_by_list
// (it holds kind, domain, task list and seq, so the count and the oldest
// seq need no table row), then one primary-key read per task list for its
// oldest task's queue time. seq is arrival order (a new task's is above
// every waiting one), so the smallest seq is the task waiting longest.
const (
	sqlBacklogs = `SELECT b.kind, b.domain, b.task_list, b.n, t.queued_at
		FROM (SELECT kind, domain, task_list, count(*) AS n, min(seq) AS first
			FROM tasks GROUP BY kind, domain, task_list) AS b
		JOIN tasks AS t ON t.seq = b.first
		ORDER BY b.domain, b.kind, b.task_list`
	// The kind's IN list lets SQLite seek the index by (kind, domain).
	sqlDomainBacklogs = `SELECT b.kind, b.domain, b.task_list, b.n, t.queued_at
		FROM (SELECT kind, domain, task_list, count(*) AS n, min(seq) AS first
			FROM tasks WHERE kind IN ('activity', 'decision') AND domain = ?
			GROUP BY kind, domain, task_list) AS b
		JOIN tasks AS t ON t.seq = b.first
		ORDER BY b.domain, b.kind, b.task_list`
)

// Backlogs implements store.ExecutionStore.
func (s *Store) Backlogs(ctx context.Context, domain string) ([]store.Backlog, error) {
	var (
		rows *sql.Rows
		err  error
	)
	if domain == "" {
		rows, err = s.read.QueryContext(ctx, sqlBacklogs)
	} else {
		rows, err = s.read.QueryContext(ctx, sqlDomainBacklogs, domain)
	}
	if err != nil {
		return nil, s.dbErr(ctx, "backlogs", err)
	}
	defer rows.Close()
	var out []store.Backlog
	for rows.Next() {
		var (
			b      store.Backlog
			kind   string
			queued int64
		)
		if err := rows.Scan(&kind, &b.Domain, &b.TaskList, &b.Count, &queued); err != nil {
			return nil, s.dbErr(ctx, "backlogs", err)
		}
		b.Kind, b.Oldest = store.TaskKind(kind), columns.FromMillis(queued)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(ctx, "backlogs", err)
	}
	return out, nil
}

// Ping implements store.Store: a read of the schema's version on the read
// pool, and the committer's state, since a store whose fsync failed
// refuses every write until it is reopened.
func (s *Store) Ping(ctx context.Context) error {
	var newest sql.NullInt64
	if err := s.read.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return s.dbErr(ctx, "ping", err)
	}
	if p := s.committer.broken.Load(); p != nil {
		return *p
	}
	return schemaCurrent(newest.Int64)
}

// schemaCurrent checks a database's schema version against the newest
// this binary carries. A newer one is accepted, as at start-up (a
// rollback must keep working).
func schemaCurrent(version int64) error {
	steps, err := schema.Load(embeddedMigrations())
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if want := int64(steps[len(steps)-1].Version); version < want {
		return fmt.Errorf("sqlite: %w: database at %d, this openswf wants %d", store.ErrSchema, version, want)
	}
	return nil
}

// commitObserver boxes a store.CommitObserver for an atomic pointer.
type commitObserver struct{ store.CommitObserver }

// ObserveCommits implements store.Observable: every batch committed and
// every fsync of the WAL is reported to o from then on.
func (s *Store) ObserveCommits(o store.CommitObserver) {
	s.committer.observer.Store(&commitObserver{o})
}

var _ store.Observable = (*Store)(nil)
