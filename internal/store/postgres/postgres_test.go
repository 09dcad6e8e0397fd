package postgres

import (
	"fmt"
	"log/slog"
	"os"
	"testing"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/pgtest"
	"github.com/openswf/openswf/internal/store/storetest"
)

// pg is the package's one PostgreSQL server; each test takes a database.
var pg = pgtest.New()

func TestMain(m *testing.M) {
	code := m.Run()
	if err := pg.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() store.Store {
		url := pg.Database(t)
		return func() store.Store {
			s, err := Open(t.Context(), url, testLogger(t))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			return s
		}
	})
}

// testLogger shows warnings in the test's output, where they explain a
// failure.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}
