package postgres

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// secretBytes is the length of a new secret: 256 bits, as much as an
// HMAC-SHA256 key can use.
const secretBytes = 32

// Secret implements store.Store. The insert and the read are separate
// statements on purpose: at READ COMMITTED the read then sees the row a
// racing node committed while our insert waited on it, which a single
// statement's snapshot would miss.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, secretBytes)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("postgres: secret: %w", err)
	}
	var value []byte
	err := s.inTx(ctx, "secret", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
			name, fresh); err != nil {
			return s.dbErr(ctx, "secret", err)
		}
		if err := tx.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&value); err != nil {
			return s.dbErr(ctx, "secret", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return value, nil
}
