package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// port only names the socket file; the server listens on no TCP port,
	// so parallel test packages cannot collide.
	port      = 5432
	superuser = "postgres"
)

// process is a running postmaster and the directory holding its data,
// socket and log.
type process struct {
	dir       string // removed on stop
	socketDir string
	logPath   string
	cmd       *exec.Cmd
	exited    chan struct{} // closed when cmd has been waited for
	waitErr   error         // valid once exited is closed
}

// findBinaries returns the directory holding initdb and postgres: the one
// PATH leads to (through symlinks, so that both come from the same
// installation), else the newest of Debian's /usr/lib/postgresql/*/bin.
func findBinaries() (string, error) {
	var dirs []string
	for _, name := range []string{"initdb", "postgres"} {
		if p, err := exec.LookPath(name); err == nil {
			if real, err := filepath.EvalSymlinks(p); err == nil {
				dirs = append(dirs, filepath.Dir(real))
			}
		}
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	version := func(dir string) int {
		v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
		return v
	}
	slices.SortFunc(debian, func(a, b string) int { return version(b) - version(a) })
	dirs = append(dirs, debian...)
	for _, dir := range dirs {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", &unavailableError{"PostgreSQL is not installed: no initdb and postgres in PATH or /usr/lib/postgresql/*/bin"}
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// runAs returns whom to run PostgreSQL as: nobody in particular normally,
// but the postgres user when we are root, since PostgreSQL refuses to run
// as root.
func runAs() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(superuser)
	if err != nil {
		return nil, &unavailableError{"running as root, PostgreSQL needs a postgres user to run as: " + err.Error()}
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("user postgres: %w", err)
	}
	return &account{uid: uint32(uid), gid: uint32(gid)}, nil
}

// makeDir makes the directory for the server's data, socket and log. It
// prefers tmpfs: a test server needs no disk, and on some disks CREATE
// DATABASE costs ten times as much, fsync or not. Under root it avoids
// $TMPDIR, which the postgres user may not be able to reach, and it keeps
// the socket's path short (the kernel allows about 100 bytes).
func makeDir(as *account) (string, error) {
	bases := []string{"/dev/shm"}
	if tmp := os.TempDir(); as == nil && len(tmp) < 60 {
		bases = append(bases, tmp)
	}
	bases = append(bases, "/tmp")
	var errs []error
	for _, base := range bases {
		dir, err := os.MkdirTemp(base, "openswf-pgtest-")
		if err == nil {
			return dir, nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("making a directory for postgres: %w", errors.Join(errs...))
}

// account is a user to run PostgreSQL as.
type account struct{ uid, gid uint32 }

func startProcess(ctx context.Context) (_ *process, err error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	as, err := runAs()
	if err != nil {
		return nil, err
	}
	dir, err := makeDir(as)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if as != nil {
		if err := os.Chown(dir, int(as.uid), int(as.gid)); err != nil {
			return nil, err
		}
	}
	p := &process{dir: dir, socketDir: dir, logPath: filepath.Join(dir, "postgres.log"), exited: make(chan struct{})}
	data := filepath.Join(dir, "data")

	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"-D", data, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	initdb.Dir = dir
	initdb.Env = append(os.Environ(), "LC_ALL=C")
	initdb.SysProcAttr = sysProcAttr(as)
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}

	logFile, err := os.Create(p.logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	// Durability is pointless for a database that dies with the test;
	// without it creating databases and committing cost next to nothing.
	p.cmd = exec.Command(filepath.Join(bin, "postgres"),
		"-D", data,
		"-k", p.socketDir,
		"-h", "",
		"-p", strconv.Itoa(port),
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=300",
		"-c", "log_min_messages=warning",
	)
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(), "LC_ALL=C")
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.cmd.SysProcAttr = sysProcAttr(as)
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting postgres: %w", err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// waitReady connects to url, retrying while the server starts, and returns
// the connection.
func (p *process) waitReady(ctx context.Context, url string) (*pgx.Conn, error) {
	for {
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			return conn, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("postgres exited: %v\n%s", p.waitErr, p.log())
		case <-ctx.Done():
			return nil, fmt.Errorf("postgres did not accept connections: %w (last: %v)\n%s", ctx.Err(), err, p.log())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// log returns the end of the server's log, to explain a failure.
func (p *process) log() string {
	b, _ := os.ReadFile(p.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}

// stop shuts the server down with SIGQUIT, PostgreSQL's immediate
// shutdown (what pg_ctl stop -m immediate sends): there is nothing worth
// flushing. It falls back to SIGKILL, then deletes the files.
func (p *process) stop() error {
	var errs []error
	if err := p.cmd.Process.Signal(syscall.SIGQUIT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		errs = append(errs, err)
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		errs = append(errs, errors.New("postgres ignored SIGQUIT; killing it"))
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	if err := os.RemoveAll(p.dir); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("pgtest: stopping postgres: %w", err)
	}
	return nil
}
