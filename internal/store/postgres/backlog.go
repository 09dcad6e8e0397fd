package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
	"github.com/openswf/openswf/internal/store/schema"
)

// As on SQLite: one pass over tasks_by_list for the counts and the oldest
// seq of each task list (seq is taken in arrival order), then one
// primary-key read per task list for that task's queue time.
const (
	sqlBacklogs = `SELECT b.kind, b.domain, b.task_list, b.n, t.queued_at
		FROM (SELECT kind, domain, task_list, count(*) AS n, min(seq) AS first
			FROM tasks GROUP BY kind, domain, task_list) AS b
		JOIN tasks AS t ON t.seq = b.first
		ORDER BY b.domain, b.kind, b.task_list`
	sqlDomainBacklogs = `SELECT b.kind, b.domain, b.task_list, b.n, t.queued_at
		FROM (SELECT kind, domain, task_list, count(*) AS n, min(seq) AS first
			FROM tasks WHERE kind IN ('activity', 'decision') AND domain = $1
			GROUP BY kind, domain, task_list) AS b
		JOIN tasks AS t ON t.seq = b.first
		ORDER BY b.domain, b.kind, b.task_list`
)

// Backlogs implements store.ExecutionStore.
func (s *Store) Backlogs(ctx context.Context, domain string) ([]store.Backlog, error) {
	var (
		rows pgx.Rows
		err  error
	)
	if domain == "" {
		rows, err = s.pool.Query(ctx, sqlBacklogs)
	} else {
		rows, err = s.pool.Query(ctx, sqlDomainBacklogs, domain)
	}
	if err != nil {
		return nil, s.dbErr(ctx, "backlogs", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Backlog, error) {
		var (
			b      store.Backlog
			kind   string
			queued int64
		)
		err := row.Scan(&kind, &b.Domain, &b.TaskList, &b.Count, &queued)
		b.Kind, b.Oldest = store.TaskKind(kind), columns.FromMillis(queued)
		return b, err
	})
	if err != nil {
		return nil, s.dbErr(ctx, "backlogs", err)
	}
	return out, nil
}

// Ping implements store.Store: one round trip that reads the schema's
// version.
func (s *Store) Ping(ctx context.Context) error {
	var newest *int64
	if err := s.pool.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return s.dbErr(ctx, "ping", err)
	}
	var version int64
	if newest != nil {
		version = *newest
	}
	steps, err := schema.Load(embeddedMigrations())
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	// A newer schema is accepted, as at start-up (a rollback must keep
	// working).
	if want := int64(steps[len(steps)-1].Version); version < want {
		return fmt.Errorf("postgres: %w: database at %d, this openswf wants %d", store.ErrSchema, version, want)
	}
	return nil
}

// commitObserver boxes a store.CommitObserver for an atomic pointer.
type commitObserver struct{ store.CommitObserver }

// ObserveCommits implements store.Observable: every write transaction is
// reported to o from then on (PostgreSQL's fsyncs are its own).
func (s *Store) ObserveCommits(o store.CommitObserver) {
	s.observer.Store(&commitObserver{o})
}

var _ store.Observable = (*Store)(nil)
