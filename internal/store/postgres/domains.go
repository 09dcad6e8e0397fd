package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

const domainCols = `name, description, retention, status, tags, created_at`

func scanDomain(row scanner) (store.Domain, error) {
	var (
		d       store.Domain
		tags    string
		created int64
	)
	if err := row.Scan(&d.Name, &d.Description, &d.Retention, &d.Status, &tags, &created); err != nil {
		return store.Domain{}, err
	}
	var err error
	if d.Tags, err = columns.DecodeTags(tags); err != nil {
		return store.Domain{}, fmt.Errorf("domain %q: %w", d.Name, err)
	}
	d.CreatedAt = columns.FromMillis(created)
	return d, nil
}

func existsDomain(name string) error {
	return fmt.Errorf("%w: domain %q", store.ErrExists, name)
}

// CreateDomain implements store.Store.
func (s *Store) CreateDomain(ctx context.Context, d store.Domain, limit int) error {
	tags, err := columns.EncodeTags(d.Tags)
	if err != nil {
		return err
	}
	return s.inTx(ctx, "create domain", func(tx pgx.Tx) error {
		if limit > 0 {
			// Counting sees only committed rows: without the lock two nodes
			// could both count limit-1 and both insert.
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpace, lockDomains); err != nil {
				return s.dbErr(ctx, "create domain", err)
			}
		}
		var exists bool
		var n int
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM domains WHERE name = $1), (SELECT count(*) FROM domains)`,
			d.Name).Scan(&exists, &n); err != nil {
			return s.dbErr(ctx, "create domain", err)
		}
		if exists {
			return existsDomain(d.Name)
		}
		if limit > 0 && n >= limit {
			return fmt.Errorf("%w: %d domains", store.ErrLimit, n)
		}
		_, err := tx.Exec(ctx, `INSERT INTO domains (`+domainCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			d.Name, d.Description, d.Retention, d.Status, tags, columns.Millis(d.CreatedAt))
		if hasCode(err, uniqueViolation) {
			return existsDomain(d.Name) // created since we looked
		}
		if err != nil {
			return s.dbErr(ctx, "create domain", err)
		}
		return nil
	})
}

// GetDomain implements store.Store.
func (s *Store) GetDomain(ctx context.Context, name string) (store.Domain, error) {
	d, err := scanDomain(s.pool.QueryRow(ctx, `SELECT `+domainCols+` FROM domains WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Domain{}, columns.NotFoundDomain(name)
	}
	if err != nil {
		return store.Domain{}, s.dbErr(ctx, "get domain", err)
	}
	return d, nil
}

// lockDomain reads a domain and locks its row until the transaction ends.
func (s *Store) lockDomain(ctx context.Context, tx pgx.Tx, op, name string) (store.Domain, error) {
	d, err := scanDomain(tx.QueryRow(ctx, `SELECT `+domainCols+` FROM domains WHERE name = $1 FOR UPDATE`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Domain{}, columns.NotFoundDomain(name)
	}
	if err != nil {
		return store.Domain{}, s.dbErr(ctx, op, err)
	}
	return d, nil
}

// UpdateDomain implements store.Store. The name is the row's key, so a
// change to it is ignored.
func (s *Store) UpdateDomain(ctx context.Context, name string, change func(*store.Domain) error) (store.Domain, error) {
	var out store.Domain
	err := s.inTx(ctx, "update domain", func(tx pgx.Tx) error {
		d, err := s.lockDomain(ctx, tx, "update domain", name)
		if err != nil {
			return err
		}
		if err := change(&d); err != nil {
			return err
		}
		d.Name = name
		tags, err := columns.EncodeTags(d.Tags)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx,
			`UPDATE domains SET description = $1, retention = $2, status = $3, tags = $4, created_at = $5 WHERE name = $6`,
			d.Description, d.Retention, d.Status, tags, columns.Millis(d.CreatedAt), name); err != nil {
			return s.dbErr(ctx, "update domain", err)
		}
		out = columns.StoredDomain(d)
		return nil
	})
	if err != nil {
		return store.Domain{}, err
	}
	return out, nil
}

// DeprecateDomain implements store.Store.
func (s *Store) DeprecateDomain(ctx context.Context, name string, at time.Time, check func(store.Domain) error) (store.Domain, error) {
	var out store.Domain
	err := s.inTx(ctx, "deprecate domain", func(tx pgx.Tx) error {
		d, err := s.lockDomain(ctx, tx, "deprecate domain", name)
		if err != nil {
			return err
		}
		if err := check(d); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE domains SET status = $1 WHERE name = $2`, store.StatusDeprecated, name); err != nil {
			return s.dbErr(ctx, "deprecate domain", err)
		}
		if _, err := tx.Exec(ctx,
			`UPDATE types SET status = $1, deprecated_at = $2 WHERE domain = $3 AND status = $4`,
			store.StatusDeprecated, columns.Millis(at), name, store.StatusRegistered); err != nil {
			return s.dbErr(ctx, "deprecate domain", err)
		}
		d.Status = store.StatusDeprecated
		out = d
		return nil
	})
	if err != nil {
		return store.Domain{}, err
	}
	return out, nil
}

// ListDomains implements store.Store.
func (s *Store) ListDomains(ctx context.Context, q store.DomainQuery) ([]store.Domain, error) {
	var w where
	if q.Status != "" {
		w.add(`status = `, q.Status)
	}
	if q.After != "" {
		w.add(`name `+pick(q.Reverse, "<", ">")+` `, q.After)
	}
	sql := `SELECT ` + domainCols + ` FROM domains` + w.String() + ` ORDER BY name ` + pick(q.Reverse, "DESC", "ASC")
	if q.Limit > 0 {
		sql += ` LIMIT ` + w.arg(q.Limit)
	}
	rows, err := s.pool.Query(ctx, sql, w.args...)
	if err != nil {
		return nil, s.dbErr(ctx, "list domains", err)
	}
	defer rows.Close()
	var out []store.Domain
	for rows.Next() {
		d, err := scanDomain(rows)
		if err != nil {
			return nil, s.dbErr(ctx, "list domains", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(ctx, "list domains", err)
	}
	return out, nil
}

// where builds the WHERE clause of a list query: fixed SQL fragments, each
// followed by a numbered parameter.
type where struct {
	conds []string
	args  []any
}

// arg adds a parameter and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return fmt.Sprintf("$%d", len(w.args))
}

// add adds the condition fragment followed by v's placeholder.
func (w *where) add(fragment string, v any) {
	w.conds = append(w.conds, fragment+w.arg(v))
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(w.conds, ` AND `)
}

// pick returns a when cond holds and b otherwise; it keeps the fixed SQL
// fragments of the list queries readable.
func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
