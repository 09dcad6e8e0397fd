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
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/schema"
)

// Store is a store.Store kept in a PostgreSQL database.
type Store struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	// observer hears of every write transaction (see backlog.go).
	observer atomic.Pointer[commitObserver]
	// migrated are the migrations OpenWith applied.
	migrated []schema.Migration
	// node names this process in its notifications of queued tasks, and
	// listening says whether ListenTasks is listening (see notify.go).
	node      string
	listening atomic.Bool

	closeOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// Options are the settings of a PostgreSQL store.
type Options struct {
	// Migrate applies pending migrations when the store opens. Without
	// it, Open refuses a database whose schema lacks migrations
	// (*schema.OutdatedError), so that the operator of several nodes
	// decides when the schema changes, with openswf migrate.
	Migrate bool
	// MaxConns is the most connections the pool opens (0: pgx's default,
	// the larger of 4 and the number of CPUs), unless the URL sets
	// pool_max_conns.
	MaxConns int32
	// StatementTimeout bounds every statement in the database (0: none),
	// so that no request waits on it for longer, whatever the database
	// is doing; a statement cut short fails its request, which the
	// client retries.
	StatementTimeout time.Duration
	// ConnLifetime closes a connection once it is this old (0: pgx's
	// default, an hour), so that connections move to a restarted or
	// failed-over database in time.
	ConnLifetime time.Duration
	// ConnectTimeout bounds opening one connection (0: 5 s), so that a
	// request arriving while the database is down fails promptly rather
	// than wait for the operating system's TCP timeout.
	ConnectTimeout time.Duration
}

// DefaultConnectTimeout is Options.ConnectTimeout's default.
const DefaultConnectTimeout = 5 * time.Second

// Open connects to the database at url (a postgres:// URL or a libpq
// key=value string, as pgx accepts) and brings its schema up to date: it
// is OpenWith with Migrate, for tests and tools.
func Open(ctx context.Context, url string, logger *slog.Logger) (*Store, error) {
	return OpenWith(ctx, url, logger, Options{Migrate: true})
}

// OpenWith connects to the database at url with opts. It refuses a
// database that a newer openswf has migrated (*schema.NewerError), and,
// unless opts.Migrate, one that lacks migrations.
func OpenWith(ctx context.Context, url string, logger *slog.Logger, opts Options) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if opts.MaxConns > 0 && !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.ConnLifetime > 0 {
		cfg.MaxConnLifetime = opts.ConnLifetime
	}
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = cmp.Or(opts.ConnectTimeout, DefaultConnectTimeout)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, logger: logger.With("store", "postgres"), node: newNodeID()}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, s.dbErr(ctx, "connecting", err)
	}
	if opts.Migrate {
		s.migrated, err = migrate(ctx, pool, embeddedMigrations(), s.logger)
	} else {
		err = checkSchema(ctx, pool, embeddedMigrations())
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.logger.Debug("opened", "host", cfg.ConnConfig.Host, "database", cfg.ConnConfig.Database,
		"max_conns", cfg.MaxConns, "statement_timeout", opts.StatementTimeout)
	return s, nil
}

// Migrate applies the migrations the database at url lacks, and returns
// them: openswf migrate.
func Migrate(ctx context.Context, url string, logger *slog.Logger) ([]schema.Migration, error) {
	s, err := OpenWith(ctx, url, logger, Options{Migrate: true, MaxConns: 1})
	if err != nil {
		return nil, err
	}
	return s.migrated, s.Close()
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
	began := time.Now()
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
	if o := s.observer.Load(); o != nil {
		o.Committed(time.Since(began), 1)
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
