package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"github.com/openswf/openswf/internal/store/schema"
	"io/fs"
	"log/slog"
	"time"
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

// migrate applies, in order, the migrations in fsys that the database has
// not recorded. Each runs in its own immediate transaction together with
// its record, so a crash leaves it wholly applied or not at all, and a
// second process migrating the same file waits and then skips it.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, logger *slog.Logger) error {
	steps, err := schema.Load(fsys)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: creating schema_migrations: %w", err)
	}
	for _, m := range steps {
		applied, err := applyMigration(ctx, db, m)
		if err != nil {
			return fmt.Errorf("sqlite: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if applied {
			logger.Info("applied schema migration", "version", m.Version, "name", m.Name)
		}
	}
	var newest sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("sqlite: reading schema version: %w", err)
	}
	if len(steps) > 0 && newest.Int64 > int64(steps[len(steps)-1].Version) {
		// A newer openswf migrated this file; this one may not understand
		// everything in it, but refusing to start would be worse for a
		// rollback.
		logger.Warn("database schema is newer than this openswf", "database", newest.Int64, "known", steps[len(steps)-1].Version)
	}
	return nil
}

// applyMigration applies m unless it is recorded, and says whether it did.
func applyMigration(ctx context.Context, db *sql.DB, m schema.Migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	// After a commit this is a no-op; otherwise nothing is worth keeping
	// and the error worth reporting is the one that got us here.
	defer func() { _ = tx.Rollback() }()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, time.Now().UnixMilli()); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	return true, nil
}
