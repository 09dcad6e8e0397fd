package sqlite

import (
	"context"
	"crypto/rand"
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
	err := s.do(ctx, "secret", func(w *wtx) error {
		if _, err := w.exec(`INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
			name, fresh); err != nil {
			return s.dbErr(w.ctx, "secret", err)
		}
		if err := w.queryRow(`SELECT value FROM secrets WHERE name = ?`, name).Scan(&value); err != nil {
			return s.dbErr(w.ctx, "secret", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return value, nil
}
