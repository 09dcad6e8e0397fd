// Package sqlite keeps openswf's state in one SQLite file, through the
// pure-Go driver modernc.org/sqlite, so the default deployment needs neither
// cgo nor a database server.
//
// SQLite allows one writer at a time. Rather than let writers collide and
// retry on SQLITE_BUSY, every write goes to one committer goroutine that
// owns the only write connection and commits the writes waiting for it
// together, and a syncer that fsyncs the WAL once per batch, while the
// committer fills the next, before anyone hears of them (see committer.go);
// reads use a separate pool and, thanks to WAL, never wait for the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/schema"
)

// Store is a store.Store kept in a SQLite file.
type Store struct {
	write     *sql.DB    // exactly one connection: the only writer
	wconn     *sql.Conn  // that connection, held by the committer
	committer *committer // runs every write
	read      *sql.DB    // read-only connections
	stmts     *stmts     // the write path's statements, prepared on wconn
	wal       *os.File   // the WAL, opened to fsync it (see committer.go)
	path      string     // the database file
	reads     *readStmts // the read path's statements, prepared on read
	registry  *registry  // the domains and types read (registry.go)
	logger    *slog.Logger
	// retentionEvents bounds the history rows one retention transaction
	// deletes (0: DefaultRetentionEvents); see retention.go.
	retentionEvents int
	// migrated are the migrations Open applied.
	migrated []schema.Migration

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

const (
	// busyTimeoutMS bounds how long a connection waits for a lock another
	// process holds (a second openswf on the same file, a backup tool);
	// within one process the single writer never waits on SQLite locks.
	busyTimeoutMS = 10000
	// readConns is the size of the read pool; WAL lets readers run side by
	// side, and more than a few buys nothing on small machines.
	readConns = 4
)

// Open opens, creating it and its directory when missing, the SQLite
// database at path and brings its schema up to date.
func Open(ctx context.Context, path string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: creating the database directory: %w", err)
	}

	// synchronous=FULL: a commit is on disk before it is acknowledged; WAL's
	// default NORMAL could lose the last commits on power loss. The
	// migrations run so; the committer's connection then commits without
	// waiting for the disk and its syncer fsyncs the WAL before any answer
	// (see committer.go), which is FULL's guarantee off the writer's path.
	// _txlock=
	// immediate makes the migrations take the write lock at BEGIN, as the
	// committer's BEGIN IMMEDIATE does, so a transaction never fails
	// half-way trying to upgrade a read lock.
	write, err := sql.Open("sqlite", dsn(abs,
		"_pragma=busy_timeout("+fmt.Sprint(busyTimeoutMS)+")",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
		"_pragma=foreign_keys(1)",
		// A statement that may fail half-way (one that fires a trigger,
		// an upsert) runs with a statement journal, the pages as they
		// were before it, which SQLite keeps in memory up to 64 KiB and
		// then spills to a temporary file for the rest of the
		// connection's life: two write system calls per page. In memory
		// it is a copy.
		"_pragma=temp_store(MEMORY)",
		"_txlock=immediate",
	))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)

	s := &Store{write: write, path: abs, registry: newRegistry(), logger: logger.With("store", "sqlite")}
	// Ping before opening readers: it creates the file and switches it to
	// WAL, which readers then find already set.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, s.dbErr(ctx, "opening "+abs, err)
	}
	if s.migrated, err = migrate(ctx, write, embeddedMigrations(), s.logger); err != nil {
		write.Close()
		return nil, err
	}

	read, err := sql.Open("sqlite", dsn(abs,
		"_pragma=busy_timeout("+fmt.Sprint(busyTimeoutMS)+")",
		"_pragma=foreign_keys(1)",
		"_pragma=query_only(1)",
	))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	read.SetMaxOpenConns(readConns)
	read.SetMaxIdleConns(readConns)
	s.read = read
	if err := s.start(ctx); err != nil {
		s.closeAll()
		return nil, err
	}
	s.logger.Debug("opened", "path", abs)
	return s, nil
}

// start prepares the statements and starts the committer on the write
// connection, which it keeps until Close.
func (s *Store) start(ctx context.Context) error {
	var err error
	if s.reads, err = prepareReadStmts(ctx, s.read); err != nil {
		return err
	}
	if s.wconn, err = s.write.Conn(ctx); err != nil {
		return s.dbErr(ctx, "taking the write connection", err)
	}
	if s.stmts, err = prepareStmts(ctx, s.wconn); err != nil {
		return err
	}
	if err := s.openWAL(ctx); err != nil {
		return err
	}
	if s.committer, err = newCommitter(ctx, s.wconn, s.stmts, s.wal.Sync, s.logger); err != nil {
		return err
	}
	s.committer.start()
	return nil
}

// openWAL opens the WAL file for the syncer and makes the write connection
// commit without syncing. The WAL exists from the first connection in WAL
// mode on, and stays (same file) until the last connection closes.
func (s *Store) openWAL(ctx context.Context) error {
	wal, err := os.OpenFile(s.path+"-wal", os.O_RDONLY|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("sqlite: opening the WAL: %w", err)
	}
	s.wal = wal
	// The WAL's name must be durable in its directory for its contents to
	// be found after a power loss.
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		return fmt.Errorf("sqlite: syncing the database directory: %w", err)
	}
	if _, err := s.wconn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		return s.dbErr(ctx, "setting synchronous=NORMAL on the write connection", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// dsn makes a file: URI for path, escaped so that a '?' or '%' in the path
// stays part of the name, carrying the driver parameters params.
func dsn(path string, params ...string) string {
	u := url.URL{Path: filepath.ToSlash(path)}
	return "file:" + u.EscapedPath() + "?" + strings.Join(params, "&")
}

// Close lets the committer commit the writes already handed to it, stops
// it, and closes both pools; the last connection to go checkpoints the WAL
// into the main file. Calls after Close fail.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.closeAll() })
	return s.closeErr
}

// closeAll releases whatever Open got as far as making.
func (s *Store) closeAll() error {
	var errs []error
	if s.committer != nil {
		s.committer.stop()
		s.committer.closeStmts()
	}
	if s.wal != nil {
		errs = append(errs, s.wal.Close())
	}
	s.stmts.close()
	if s.wconn != nil {
		errs = append(errs, s.wconn.Close())
	}
	s.reads.close()
	errs = append(errs, s.read.Close(), s.write.Close())
	return errors.Join(errs...)
}

// dbErr describes a driver error. When the context has ended, that is the
// reason worth reporting (the driver only says "interrupted"), so the error
// wraps ctx.Err() for errors.Is.
func (s *Store) dbErr(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("sqlite: %s: %w (%w)", op, ctxErr, err)
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// isUnique reports whether err is a primary-key or unique violation: the
// row a create raced against exists already.
func isUnique(err error) bool {
	var e *msqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
