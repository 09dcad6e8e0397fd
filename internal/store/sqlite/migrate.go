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
// not recorded, and returns them. Each runs in its own immediate
// transaction together with its record, so a crash leaves it wholly
// applied or not at all, and a second process migrating the same file
// waits and then skips it. A database that has recorded a version fsys
// does not know was migrated by a newer openswf: it is refused
// (*schema.NewerError) before anything is applied.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, logger *slog.Logger) ([]schema.Migration, error) {
	steps, err := schema.Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return nil, fmt.Errorf("sqlite: creating schema_migrations: %w", err)
	}
	recorded, err := recordedVersions(ctx, db)
	if err != nil {
		return nil, err
	}
	if st := schema.Compare(steps, recorded); len(st.Unknown) > 0 {
		return nil, fmt.Errorf("sqlite: %w", &schema.NewerError{Unknown: st.Unknown, Known: steps[len(steps)-1].Version})
	}
	var done []schema.Migration
	for _, m := range steps {
		applied, err := applyMigration(ctx, db, m)
		if err != nil {
			return done, fmt.Errorf("sqlite: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if applied {
			logger.Info("applied schema migration", "version", m.Version, "name", m.Name)
			done = append(done, m)
		}
	}
	return done, nil
}

// recordedVersions returns the versions schema_migrations records.
func recordedVersions(ctx context.Context, db *sql.DB) ([]int, error) {
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reading the schema's versions: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("sqlite: reading the schema's versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: reading the schema's versions: %w", err)
	}
	return out, nil
}

// Migrate brings the schema of the SQLite database at path up to date,
// creating the file if missing, and returns the migrations it applied.
// (Open does the same; Migrate is for openswf migrate, which says what it
// did.)
func Migrate(ctx context.Context, path string, logger *slog.Logger) ([]schema.Migration, error) {
	s, err := Open(ctx, path, logger)
	if err != nil {
		return nil, err
	}
	return s.migrated, s.Close()
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
