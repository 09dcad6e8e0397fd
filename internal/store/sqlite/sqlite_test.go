package sqlite_test

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/sqlite"
	"github.com/openswf/openswf/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() store.Store {
		path := filepath.Join(t.TempDir(), "openswf.db")
		return func() store.Store {
			s, err := sqlite.Open(t.Context(), path, testLogger(t))
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
