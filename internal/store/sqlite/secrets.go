package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
)

// secretBytes is the length of a new secret: 256 bits, as much as an
// HMAC-SHA256 key can use.
const secretBytes = 32

// Secret implements store.Store. It runs as a write transaction even when
// the secret exists: it is read once per start, and one path is simpler
// to trust than two.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, secretBytes)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("sqlite: secret: %w", err)
	}
	var value []byte
	err := s.inTx(ctx, "secret", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
			name, fresh); err != nil {
			return s.dbErr(ctx, "secret", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&value); err != nil {
			return s.dbErr(ctx, "secret", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return value, nil
}
