package service_test

import (
	"os"
	"testing"

	"github.com/openswf/openswf/internal/store/pgtest"
	"github.com/openswf/openswf/swftest"
)

// TestMain runs the integration tests on SQLite, or with
// OPENSWF_TEST_STORE=postgres on a throwaway PostgreSQL.
func TestMain(m *testing.M) {
	if os.Getenv("OPENSWF_TEST_STORE") != "postgres" {
		os.Exit(m.Run())
	}
	pg := pgtest.New()
	swftest.DefaultStore = pg.Database
	code := m.Run()
	pg.Close()
	os.Exit(code)
}
