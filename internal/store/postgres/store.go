// Package postgres keeps openswf's state in PostgreSQL, through pgx, so
// that several openswf nodes can share one durable state.
//
// Each method is one transaction at READ COMMITTED. Read-modify-write
// methods lock the row they read (SELECT ... FOR UPDATE) until they commit,
// so concurrent updates queue instead of overwriting one another; creates
// that count rows against a limit serialize on a lock first, so two nodes
// cannot both take the last place.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openswf/openswf/internal/store"
)

// Store is a store.Store kept in a PostgreSQL database.
type Store struct {
	pool   *pgxpool.Pool
	logger *slog.Logger

	closeOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a libpq
// key=value string, as pgx accepts) and brings its schema up to date.
func Open(ctx context.Context, url string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, logger: logger.With("store", "postgres")}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, s.dbErr(ctx, "connecting", err)
	}
	if err := migrate(ctx, pool, embeddedMigrations(), s.logger); err != nil {
		pool.Close()
		return nil, err
	}
	s.logger.Debug("opened", "host", cfg.ConnConfig.Host, "database", cfg.ConnConfig.Database)
	return s, nil
}

// Close closes the connections, waiting for those in use to come back.
// Calls after Close fail.
func (s *Store) Close() error {
	s.closeOnce.Do(s.pool.Close)
	return nil
}

// inTx runs fn in one transaction, committing only when fn returns nil.
// fn's own error comes back unchanged, so that callers' errors (and the
// contract's sentinels) reach the service as they were.
func (s *Store) inTx(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return s.dbErr(ctx, op, err)
	}
	if err := fn(tx); err != nil {
		s.rollback(ctx, op, tx)
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return s.dbErr(ctx, op, err)
	}
	return nil
}

// rollbackTimeout bounds a rollback, which runs even when the caller's
// context has ended so that the connection goes back to the pool clean.
const rollbackTimeout = 5 * time.Second

func (s *Store) rollback(ctx context.Context, op string, tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	if err := tx.Rollback(ctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		// pgx closes the connection, and the server rolls back with it.
		s.logger.Warn("rollback failed", "op", op, "err", err)
	}
}

// dbErr describes a driver error. When the context has ended, that is the
// reason worth reporting, so the error wraps ctx.Err() for errors.Is.
func (s *Store) dbErr(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("postgres: %s: %w (%w)", op, ctxErr, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// SQLSTATEs the store turns into the contract's errors.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

func hasCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}
