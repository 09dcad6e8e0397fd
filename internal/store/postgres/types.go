package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/columns"
)

const typeCols = `domain, kind, name, version, description, status, created_at, deprecated_at, config`

func scanType(row scanner) (store.Type, error) {
	var (
		t          store.Type
		kind       string
		created    int64
		deprecated *int64
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

func existsType(k store.TypeKey) error {
	return fmt.Errorf("%w: %s type %s/%s in domain %q", store.ErrExists, k.Kind, k.Name, k.Version, k.Domain)
}

// CreateType implements store.Store.
func (s *Store) CreateType(ctx context.Context, t store.Type, limit int, check func(store.Domain) error) error {
	if err := columns.CheckKind(t.Kind); err != nil {
		return err
	}
	return s.inTx(ctx, "create type", func(tx pgx.Tx) error {
		// Locking the domain's row serializes the creates in one domain,
		// so the count below cannot go stale before the insert, and orders
		// this create with DeprecateDomain, which locks the row too: check
		// sees the domain as it stays until the insert commits.
		d, err := s.lockDomain(ctx, tx, "create type", t.Domain)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(d); err != nil {
				return err
			}
		}
		var exists bool
		var n int
		if err := tx.QueryRow(ctx, `SELECT
				EXISTS (SELECT 1 FROM types WHERE domain = $1 AND kind = $2 AND name = $3 AND version = $4),
				(SELECT count(*) FROM types WHERE domain = $1 AND kind = $2)`,
			t.Domain, string(t.Kind), t.Name, t.Version).Scan(&exists, &n); err != nil {
			return s.dbErr(ctx, "create type", err)
		}
		if exists {
			return existsType(t.TypeKey)
		}
		if limit > 0 && n >= limit {
			return fmt.Errorf("%w: %d %s types in domain %q", store.ErrLimit, n, t.Kind, t.Domain)
		}
		_, err = tx.Exec(ctx, `INSERT INTO types (`+typeCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			t.Domain, string(t.Kind), t.Name, t.Version, t.Description, t.Status,
			columns.Millis(t.CreatedAt), nullMillis(t.DeprecatedAt), columns.Blob(t.Config))
		switch {
		case hasCode(err, uniqueViolation):
			return existsType(t.TypeKey)
		case hasCode(err, foreignKeyViolation):
			return columns.NotFoundDomain(t.Domain)
		case err != nil:
			return s.dbErr(ctx, "create type", err)
		}
		return nil
	})
}

const typeByKey = `SELECT ` + typeCols + ` FROM types WHERE domain = $1 AND kind = $2 AND name = $3 AND version = $4`

// GetType implements store.Store.
func (s *Store) GetType(ctx context.Context, key store.TypeKey) (store.Type, error) {
	t, err := scanType(s.pool.QueryRow(ctx, typeByKey, key.Domain, string(key.Kind), key.Name, key.Version))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Type{}, columns.NotFoundType(key)
	}
	if err != nil {
		return store.Type{}, s.dbErr(ctx, "get type", err)
	}
	return t, nil
}

// lockType reads a type and locks its row until the transaction ends.
func (s *Store) lockType(ctx context.Context, tx pgx.Tx, op string, key store.TypeKey) (store.Type, error) {
	t, err := scanType(tx.QueryRow(ctx, typeByKey+` FOR UPDATE`, key.Domain, string(key.Kind), key.Name, key.Version))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Type{}, columns.NotFoundType(key)
	}
	if err != nil {
		return store.Type{}, s.dbErr(ctx, op, err)
	}
	return t, nil
}

// UpdateType implements store.Store. The key is the row's key, so a change
// to it is ignored.
func (s *Store) UpdateType(ctx context.Context, key store.TypeKey, change func(*store.Type) error) (store.Type, error) {
	var out store.Type
	err := s.inTx(ctx, "update type", func(tx pgx.Tx) error {
		t, err := s.lockType(ctx, tx, "update type", key)
		if err != nil {
			return err
		}
		if err := change(&t); err != nil {
			return err
		}
		t.TypeKey = key
		if _, err := tx.Exec(ctx, `UPDATE types
				SET description = $1, status = $2, created_at = $3, deprecated_at = $4, config = $5
				WHERE domain = $6 AND kind = $7 AND name = $8 AND version = $9`,
			t.Description, t.Status, columns.Millis(t.CreatedAt), nullMillis(t.DeprecatedAt), columns.Blob(t.Config),
			key.Domain, string(key.Kind), key.Name, key.Version); err != nil {
			return s.dbErr(ctx, "update type", err)
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
	return s.inTx(ctx, "delete type", func(tx pgx.Tx) error {
		t, err := s.lockType(ctx, tx, "delete type", key)
		if err != nil {
			return err
		}
		if err := check(t); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM types WHERE domain = $1 AND kind = $2 AND name = $3 AND version = $4`,
			key.Domain, string(key.Kind), key.Name, key.Version); err != nil {
			return s.dbErr(ctx, "delete type", err)
		}
		return nil
	})
}

// ListTypes implements store.Store.
func (s *Store) ListTypes(ctx context.Context, q store.TypeQuery) ([]store.Type, error) {
	var w where
	w.add(`domain = `, q.Domain)
	w.add(`kind = `, string(q.Kind))
	if q.Status != "" {
		w.add(`status = `, q.Status)
	}
	if q.Name != "" {
		w.add(`name = `, q.Name)
	}
	if q.AfterName != "" {
		w.conds = append(w.conds, `(name, version) `+pick(q.Reverse, "<", ">")+
			` (`+w.arg(q.AfterName)+`, `+w.arg(q.AfterVersion)+`)`)
	}
	dir := pick(q.Reverse, "DESC", "ASC")
	sql := `SELECT ` + typeCols + ` FROM types` + w.String() + ` ORDER BY name ` + dir + `, version ` + dir
	if q.Limit > 0 {
		sql += ` LIMIT ` + w.arg(q.Limit)
	}
	rows, err := s.pool.Query(ctx, sql, w.args...)
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
