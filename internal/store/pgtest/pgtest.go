// Package pgtest runs a throwaway PostgreSQL server for tests, from the
// binaries installed on the machine, so that the postgres backend is tested
// against the real thing without Docker or a shared server.
//
// One Server serves a test package: it starts on first use and each test
// gets a fresh database on it, which is far cheaper than a server per test.
//
//	var pg = pgtest.New()
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		pg.Close()
//		os.Exit(code)
//	}
//
//	func TestX(t *testing.T) {
//		url := pg.Database(t)
//		...
//	}
//
// Where PostgreSQL is not installed, Database skips the test, unless the
// environment variable CI is set: there a skipped backend would be a silent
// hole in the coverage, so it fails instead.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a PostgreSQL server started on first use.
type Server struct {
	once sync.Once
	err  error // why the server did not start

	mu    sync.Mutex // serializes CREATE DATABASE on admin
	proc  *process
	admin *pgx.Conn
	dbs   int
}

// New returns a Server that starts when a test first asks for a database.
func New() *Server { return &Server{} }

// startTimeout bounds initdb plus the server's start.
const startTimeout = 60 * time.Second

// Database creates a fresh, empty database for t and returns a URL to
// connect to it as a superuser. The first call starts the server.
func (s *Server) Database(t testing.TB) string {
	t.Helper()
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		s.err = s.start(ctx)
	})
	if s.err != nil {
		var missing *unavailableError
		if errors.As(s.err, &missing) && os.Getenv("CI") == "" {
			t.Skipf("pgtest: %v (with CI set this fails instead)", s.err)
		}
		t.Fatalf("pgtest: %v", s.err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		t.Fatal("pgtest: the server is closed")
	}
	s.dbs++
	name := fmt.Sprintf("t%d", s.dbs)
	// template0 is never connected to, so creates cannot trip over a
	// session on the template; FILE_COPY skips WAL-logging every block,
	// which is all cost and no benefit on a server without fsync.
	if _, err := s.admin.Exec(t.Context(), `CREATE DATABASE `+name+` TEMPLATE template0 STRATEGY FILE_COPY`); err != nil {
		t.Fatalf("pgtest: creating database %s: %v", name, err)
	}
	return s.url(name)
}

// url is the connection URL of database name, over the server's socket.
func (s *Server) url(name string) string {
	q := url.Values{"host": {s.proc.socketDir}, "port": {fmt.Sprint(port)}, "user": {superuser}, "sslmode": {"disable"}}
	return "postgres:///" + name + "?" + q.Encode()
}

func (s *Server) start(ctx context.Context) error {
	proc, err := startProcess(ctx)
	if err != nil {
		return err
	}
	s.proc = proc
	admin, err := proc.waitReady(ctx, s.url("postgres"))
	if err != nil {
		s.proc.stop()
		return err
	}
	s.admin = admin
	return nil
}

// Close stops the server at once, as pg_ctl stop -m immediate does, and
// deletes its files. A Server that never started has nothing to close.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return nil
	}
	if s.admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.admin.Close(ctx) // the server is going anyway
		cancel()
	}
	err := s.proc.stop()
	s.proc = nil
	return err
}

// unavailableError says PostgreSQL cannot run here at all, as opposed to
// failing to start: the one case a test may skip.
type unavailableError struct{ reason string }

func (e *unavailableError) Error() string { return e.reason }
