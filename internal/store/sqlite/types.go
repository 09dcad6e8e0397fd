package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

const typeCols = `domain, kind, name, version, description, status, created_at, deprecated_at, config`

func scanType(row scanner) (store.Type, error) {
	var (
		t          store.Type
		kind       string
		created    int64
		deprecated sql.NullInt64
	)
	if err := row.Scan(&t.Domain, &kind, &t.Name, &t.Version, &t.Description, &t.Status,
		&created, &deprecated, &t.Config); err != nil {
		return store.Type{}, err
	}
	t.Kind = store.TypeKind(kind)
	t.CreatedAt = columns.FromMillis(created)
	t.DeprecatedAt = fromNullMillis(deprecated)
	if len(t.Config) == 0 {
		t.Config = nil
	}
	return t, nil
}

// CreateType implements store.Store. The transaction holds SQLite's write
// lock from its start, so the domain check cannot be overtaken by a
// DeprecateDomain before the insert commits.
func (s *Store) CreateType(ctx context.Context, t store.Type, limit int, check func(store.Domain) error) error {
	if err := columns.CheckKind(t.Kind); err != nil {
		return err
	}
	defer s.registry.forget()
	return s.do(ctx, "create type", func(w *wtx) error {
		d, err := s.loadDomain(w, "create type", t.Domain)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(d); err != nil {
				return refused(err)
			}
		}
		var typeExists bool
		if err := w.queryRow(`SELECT EXISTS (SELECT 1 FROM types WHERE domain = ? AND kind = ? AND name = ? AND version = ?)`,
			t.Domain, t.Kind, t.Name, t.Version).Scan(&typeExists); err != nil {
			return s.dbErr(w.ctx, "create type", err)
		}
		if typeExists {
			return fmt.Errorf("%w: %s type %s/%s in domain %q", store.ErrExists, t.Kind, t.Name, t.Version, t.Domain)
		}
		if limit > 0 {
			var n int
			if err := w.queryRow(`SELECT COUNT(*) FROM types WHERE domain = ? AND kind = ?`,
				t.Domain, t.Kind).Scan(&n); err != nil {
				return s.dbErr(w.ctx, "create type", err)
			}
			if n >= limit {
				return fmt.Errorf("%w: %d %s types in domain %q", store.ErrLimit, n, t.Kind, t.Domain)
			}
		}
		_, err = w.exec(`INSERT INTO types (`+typeCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.Domain, t.Kind, t.Name, t.Version, t.Description, t.Status,
			columns.Millis(t.CreatedAt), nullMillis(t.DeprecatedAt), columns.Blob(t.Config))
		if isUnique(err) {
			return fmt.Errorf("%w: %s type %s/%s in domain %q", store.ErrExists, t.Kind, t.Name, t.Version, t.Domain)
		}
		if err != nil {
			return s.dbErr(w.ctx, "create type", err)
		}
		return nil
	})
}

const typeByKey = `SELECT ` + typeCols + ` FROM types WHERE domain = ? AND kind = ? AND name = ? AND version = ?`

// GetType implements store.Store.
func (s *Store) GetType(ctx context.Context, key store.TypeKey) (store.Type, error) {
	t, gen, ok := s.registry.typ(key)
	if ok {
		return t, nil
	}
	t, err := scanType(s.reads.getType.QueryRowContext(ctx, key.Domain, key.Kind, key.Name, key.Version))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Type{}, columns.NotFoundType(key)
	}
	if err != nil {
		return store.Type{}, s.dbErr(ctx, "get type", err)
	}
	s.registry.putType(gen, t)
	return t, nil
}

// loadType reads a type inside a write transaction.
func (s *Store) loadType(w *wtx, op string, key store.TypeKey) (store.Type, error) {
	t, err := scanType(w.queryRow(typeByKey, key.Domain, key.Kind, key.Name, key.Version))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Type{}, columns.NotFoundType(key)
	}
	if err != nil {
		return store.Type{}, s.dbErr(w.ctx, op, err)
	}
	return t, nil
}

// UpdateType implements store.Store. The key is the row's key, so a change
// to it is ignored.
func (s *Store) UpdateType(ctx context.Context, key store.TypeKey, change func(*store.Type) error) (store.Type, error) {
	var out store.Type
	defer s.registry.forget()
	err := s.do(ctx, "update type", func(w *wtx) error {
		t, err := s.loadType(w, "update type", key)
		if err != nil {
			return err
		}
		if err := change(&t); err != nil {
			return refused(err)
		}
		t.TypeKey = key
		if _, err := w.exec(`UPDATE types
				SET description = ?, status = ?, created_at = ?, deprecated_at = ?, config = ?
				WHERE domain = ? AND kind = ? AND name = ? AND version = ?`,
			t.Description, t.Status, columns.Millis(t.CreatedAt), nullMillis(t.DeprecatedAt), columns.Blob(t.Config),
			key.Domain, key.Kind, key.Name, key.Version); err != nil {
			return s.dbErr(w.ctx, "update type", err)
		}
		out = columns.StoredType(t)
		return nil
	})
	if err != nil {
		return store.Type{}, err
	}
	return out, nil
}

// DeleteType implements store.Store.
func (s *Store) DeleteType(ctx context.Context, key store.TypeKey, check func(store.Type) error) error {
	defer s.registry.forget()
	return s.do(ctx, "delete type", func(w *wtx) error {
		t, err := s.loadType(w, "delete type", key)
		if err != nil {
			return err
		}
		if err := check(t); err != nil {
			return refused(err)
		}
		if _, err := w.exec(`DELETE FROM types WHERE domain = ? AND kind = ? AND name = ? AND version = ?`,
			key.Domain, key.Kind, key.Name, key.Version); err != nil {
			return s.dbErr(w.ctx, "delete type", err)
		}
		return nil
	})
}

// ListTypes implements store.Store.
func (s *Store) ListTypes(ctx context.Context, q store.TypeQuery) ([]store.Type, error) {
	var sb strings.Builder
	args := []any{q.Domain, q.Kind}
	sb.WriteString(`SELECT ` + typeCols + ` FROM types WHERE domain = ? AND kind = ?`)
	if q.Status != "" {
		sb.WriteString(` AND status = ?`)
		args = append(args, q.Status)
	}
	if q.Name != "" {
		sb.WriteString(` AND name = ?`)
		args = append(args, q.Name)
	}
	if q.AfterName != "" {
		sb.WriteString(` AND (name, version) ` + pick(q.Reverse, "<", ">") + ` (?, ?)`)
		args = append(args, q.AfterName, q.AfterVersion)
	}
	dir := pick(q.Reverse, "DESC", "ASC")
	sb.WriteString(` ORDER BY name ` + dir + `, version ` + dir)
	if q.Limit > 0 {
		sb.WriteString(` LIMIT ?`)
		args = append(args, q.Limit)
	}
	rows, err := s.read.QueryContext(ctx, sb.String(), args...)
	if err != nil {
		return nil, s.dbErr(ctx, "list types", err)
	}
	defer rows.Close()
	var out []store.Type
	for rows.Next() {
		t, err := scanType(rows)
		if err != nil {
			return nil, s.dbErr(ctx, "list types", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, s.dbErr(ctx, "list types", err)
	}
	return out, nil
}
