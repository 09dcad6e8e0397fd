package postgres

import (
	"context"
	"embed"
	"fmt"
	"github.com/openswf/openswf/internal/store/schema"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationFiles is the schema's history, embedded so that a binary always
// carries exactly the schema it was written against.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// embeddedMigrations returns the embedded files with NNNN_name.sql at the
// root, as migrate wants them.
func embeddedMigrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // cannot happen: the directory is embedded at build time
	}
	return sub
}

// Advisory lock keys, in a key space of openswf's own so as not to collide
// with other users of the database.
const (
	lockSpace   int32 = 0x05F7 // "openswf"
	lockMigrate int32 = 1      // held while a migration is checked and applied
	lockDomains int32 = 2      // held while a domain is counted and created
)

// migrate applies, in order, the migrations in fsys that the database has
// not recorded, and returns them. Each runs in its own transaction
// together with its record, under a transaction-scoped advisory lock, so
// that several processes migrating at once apply it once: the others
// wait, then find it recorded. A database that has recorded a version
// fsys does not know was migrated by a newer openswf: it is refused
// (*schema.NewerError) before anything is applied.
func migrate(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS, logger *slog.Logger) ([]schema.Migration, error) {
	steps, err := schema.Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	st, err := schemaState(ctx, pool, steps)
	if err != nil {
		return nil, err
	}
	if len(st.Unknown) > 0 {
		return nil, fmt.Errorf("postgres: %w", &schema.NewerError{Unknown: st.Unknown, Known: steps[len(steps)-1].Version})
	}
	var done []schema.Migration
	for _, m := range st.Pending {
		applied, err := applyMigration(ctx, pool, m)
		if err != nil {
			return done, fmt.Errorf("postgres: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if applied {
			logger.Info("applied schema migration", "version", m.Version, "name", m.Name)
			done = append(done, m)
		}
	}
	return done, nil
}

// checkSchema refuses a database whose schema is not the one fsys
// describes: older (*schema.OutdatedError: openswf migrate applies the
// rest) or newer (*schema.NewerError).
func checkSchema(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS) error {
	steps, err := schema.Load(fsys)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	st, err := schemaState(ctx, pool, steps)
	switch {
	case err != nil:
		return err
	case len(st.Unknown) > 0:
		return fmt.Errorf("postgres: %w", &schema.NewerError{Unknown: st.Unknown, Known: steps[len(steps)-1].Version})
	case len(st.Pending) > 0:
		return fmt.Errorf("postgres: %w", &schema.OutdatedError{Pending: st.Pending})
	}
	return nil
}

// schemaState compares what the database has recorded with steps. A
// database without the record table has recorded nothing.
func schemaState(ctx context.Context, pool *pgxpool.Pool, steps []schema.Migration) (schema.State, error) {
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return schema.State{}, fmt.Errorf("postgres: reading the schema's versions: %w", err)
	}
	var recorded []int
	if exists {
		rows, err := pool.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			return schema.State{}, fmt.Errorf("postgres: reading the schema's versions: %w", err)
		}
		if recorded, err = pgx.CollectRows(rows, pgx.RowTo[int]); err != nil {
			return schema.State{}, fmt.Errorf("postgres: reading the schema's versions: %w", err)
		}
	}
	return schema.Compare(steps, recorded), nil
}

// applyMigration applies m unless it is recorded, and says whether it did.
func applyMigration(ctx context.Context, pool *pgxpool.Pool, m schema.Migration) (bool, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	// After a commit this is a no-op; otherwise nothing is worth keeping
	// and the error worth reporting is the one that got us here.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpace, lockMigrate); err != nil {
		return false, err
	}
	// Under the lock, so that nodes starting at once do not race to create
	// it.
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer NOT NULL PRIMARY KEY,
		name       text    NOT NULL,
		applied_at bigint  NOT NULL
	)`); err != nil {
		return false, err
	}
	var done bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.Version).Scan(&done); err != nil {
		return false, err
	}
	if done {
		return false, nil
	}
	// No arguments: pgx sends it with the simple protocol, which allows a
	// file of several statements.
	if _, err := tx.Exec(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.Version, m.Name, time.Now().UnixMilli()); err != nil {
		return false, err
	}
	if err := tx.Commit(ctx); err != nil {
		return false, err
	}
	return true, nil
}
