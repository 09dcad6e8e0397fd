package pgtest_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store/pgtest"
)

var pg = pgtest.New()

func TestMain(m *testing.M) {
	code := m.Run()
	if err := pg.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// TestDatabase checks that each test gets its own working database.
func TestDatabase(t *testing.T) {
	seen := map[string]bool{}
	for range 3 {
		conn, err := pgx.Connect(t.Context(), pg.Database(t))
		if err != nil {
			t.Fatal(err)
		}
		var name string
		if err := conn.QueryRow(t.Context(), `SELECT current_database()`).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if seen[name] {
			t.Errorf("database %s handed out twice", name)
		}
		seen[name] = true
		var tables int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil || tables != 0 {
			t.Errorf("fresh database has %d tables (%v)", tables, err)
		}
		conn.Close(t.Context())
	}
}
