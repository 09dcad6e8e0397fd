package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

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

// CreateDomain implements store.Store.
func (s *Store) CreateDomain(ctx context.Context, d store.Domain, limit int) error {
	tags, err := columns.EncodeTags(d.Tags)
	if err != nil {
		return err
	}
	defer s.registry.forget()
	return s.do(ctx, "create domain", func(w *wtx) error {
		var exists bool
		if err := w.queryRow(`SELECT EXISTS (SELECT 1 FROM domains WHERE name = ?)`, d.Name).Scan(&exists); err != nil {
			return s.dbErr(w.ctx, "create domain", err)
		}
		if exists {
			return fmt.Errorf("%w: domain %q", store.ErrExists, d.Name)
		}
		if limit > 0 {
			var n int
			if err := w.queryRow(`SELECT COUNT(*) FROM domains`).Scan(&n); err != nil {
				return s.dbErr(w.ctx, "create domain", err)
			}
			if n >= limit {
				return fmt.Errorf("%w: %d domains", store.ErrLimit, n)
			}
		}
		_, err := w.exec(`INSERT INTO domains (`+domainCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
			d.Name, d.Description, d.Retention, d.Status, tags, columns.Millis(d.CreatedAt))
		if isUnique(err) {
			return fmt.Errorf("%w: domain %q", store.ErrExists, d.Name)
		}
		if err != nil {
			return s.dbErr(w.ctx, "create domain", err)
		}
		return nil
	})
}

// GetDomain implements store.Store.
func (s *Store) GetDomain(ctx context.Context, name string) (store.Domain, error) {
	d, gen, ok := s.registry.domain(name)
	if ok {
		return d, nil
	}
	d, err := scanDomain(s.reads.getDomain.QueryRowContext(ctx, name))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Domain{}, columns.NotFoundDomain(name)
	}
	if err != nil {
		return store.Domain{}, s.dbErr(ctx, "get domain", err)
	}
	s.registry.putDomain(gen, d)
	return d, nil
}

// sqlGetDomain reads one domain (prepared: see readStmts).
const sqlGetDomain = `SELECT ` + domainCols + ` FROM domains WHERE name = ?`

// loadDomain reads a domain inside a write transaction; the transaction
// holds SQLite's write lock, so the row cannot change before it commits.
func (s *Store) loadDomain(w *wtx, op, name string) (store.Domain, error) {
	d, err := scanDomain(w.queryRow(`SELECT `+domainCols+` FROM domains WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Domain{}, columns.NotFoundDomain(name)
	}
	if err != nil {
		return store.Domain{}, s.dbErr(w.ctx, op, err)
	}
	return d, nil
}

// UpdateDomain implements store.Store. The name is the row's key, so a
// change to it is ignored.
func (s *Store) UpdateDomain(ctx context.Context, name string, change func(*store.Domain) error) (store.Domain, error) {
	var out store.Domain
	defer s.registry.forget()
	err := s.do(ctx, "update domain", func(w *wtx) error {
		d, err := s.loadDomain(w, "update domain", name)
		if err != nil {
			return err
		}
		if err := change(&d); err != nil {
			return refused(err)
		}
		d.Name = name
		tags, err := columns.EncodeTags(d.Tags)
		if err != nil {
			return err
		}
		if _, err := w.exec(
			`UPDATE domains SET description = ?, retention = ?, status = ?, tags = ?, created_at = ? WHERE name = ?`,
			d.Description, d.Retention, d.Status, tags, columns.Millis(d.CreatedAt), name); err != nil {
			return s.dbErr(w.ctx, "update domain", err)
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
	defer s.registry.forget()
	err := s.do(ctx, "deprecate domain", func(w *wtx) error {
		d, err := s.loadDomain(w, "deprecate domain", name)
		if err != nil {
			return err
		}
		if err := check(d); err != nil {
			return refused(err)
		}
		if _, err := w.exec(`UPDATE domains SET status = ? WHERE name = ?`, store.StatusDeprecated, name); err != nil {
			return s.dbErr(w.ctx, "deprecate domain", err)
		}
		if _, err := w.exec(
			`UPDATE types SET status = ?, deprecated_at = ? WHERE domain = ? AND status = ?`,
			store.StatusDeprecated, columns.Millis(at), name, store.StatusRegistered); err != nil {
			return s.dbErr(w.ctx, "deprecate domain", err)
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
	var (
		sb   strings.Builder
		args []any
	)
	sb.WriteString(`SELECT ` + domainCols + ` FROM domains WHERE 1 = 1`)
	if q.Status != "" {
		sb.WriteString(` AND status = ?`)
		args = append(args, q.Status)
	}
	if q.After != "" {
		sb.WriteString(` AND name ` + pick(q.Reverse, "<", ">") + ` ?`)
		args = append(args, q.After)
	}
	sb.WriteString(` ORDER BY name ` + pick(q.Reverse, "DESC", "ASC"))
	if q.Limit > 0 {
		sb.WriteString(` LIMIT ?`)
		args = append(args, q.Limit)
	}
	rows, err := s.read.QueryContext(ctx, sb.String(), args...)
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

// pick returns a when cond holds and b otherwise; it keeps the fixed SQL
// fragments of the list queries readable.
func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
