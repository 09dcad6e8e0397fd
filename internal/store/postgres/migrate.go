package postgres

import (
	"context"
	"embed"
	"fmt"
	"github.com/openswf/openswf/internal/store/schema"
	"io/fs"
	"log/slog"
	"time"

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
// not recorded. Each runs in its own transaction together with its record,
// under a transaction-scoped advisory lock, so that several openswf nodes
// starting at once apply it once: the others wait, then find it recorded.
func migrate(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS, logger *slog.Logger) error {
	steps, err := schema.Load(fsys)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	for _, m := range steps {
		applied, err := applyMigration(ctx, pool, m)
		if err != nil {
			return fmt.Errorf("postgres: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if applied {
			logger.Info("applied schema migration", "version", m.Version, "name", m.Name)
		}
	}
	var newest *int64
	if err := pool.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("postgres: reading schema version: %w", err)
	}
	if len(steps) > 0 && newest != nil && *newest > int64(steps[len(steps)-1].Version) {
		// A newer openswf migrated this database; this one may not
		// understand everything in it, but refusing to start would be
		// worse for a rollback.
		logger.Warn("database schema is newer than this openswf", "database", *newest, "known", steps[len(steps)-1].Version)
	}
	return nil
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
