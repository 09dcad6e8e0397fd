package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Stop shuts the server down (PostgreSQL's fast shutdown) but keeps its
// files, so that a test can watch its clients lose the database and then,
// after Start, get it back with everything committed before. The server
// must have been started by a Database call.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return errors.New("pgtest: Stop: the server is not running")
	}
	if s.admin != nil {
		// Its session ends with the server; a fresh one is made by Start.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = s.admin.Close(ctx)
		cancel()
		s.admin = nil
	}
	p := s.proc
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("pgtest: stopping postgres: %w", err)
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(30 * time.Second):
		return errors.New("pgtest: postgres did not stop within 30s")
	}
}

// Start starts a server stopped by Stop again, on the same files and
// socket, and waits until it accepts connections.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return errors.New("pgtest: Start: the server was closed")
	}
	select {
	case <-s.proc.exited:
	default:
		return errors.New("pgtest: Start: the server is running")
	}
	bin, err := findBinaries()
	if err != nil {
		return err
	}
	as, err := runAs()
	if err != nil {
		return err
	}
	old := s.proc
	p := &process{dir: old.dir, socketDir: old.socketDir, logPath: old.logPath, exited: make(chan struct{})}
	logFile, err := os.OpenFile(p.logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close() // the child has its own descriptor
	// The same settings as the first start (process.go).
	p.cmd = newPostgresCmd(filepath.Join(bin, "postgres"), filepath.Join(p.dir, "data"), p.socketDir)
	p.cmd.Dir = p.dir
	p.cmd.Env = append(os.Environ(), "LC_ALL=C")
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.cmd.SysProcAttr = sysProcAttr(as)
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: starting postgres again: %w", err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	s.proc = p
	admin, err := p.waitReady(ctx, s.url("postgres"))
	if err != nil {
		return err
	}
	s.admin = admin
	return nil
}

// newPostgresCmd is the postmaster's command line as startProcess builds
// it.
func newPostgresCmd(postgres, data, socketDir string) *exec.Cmd {
	return exec.Command(postgres,
		"-D", data,
		"-k", socketDir,
		"-h", "",
		"-p", strconv.Itoa(port),
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=300",
		"-c", "log_min_messages=warning",
	)
}
