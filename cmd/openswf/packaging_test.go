package main

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The packaging is checked here because no docker daemon is at hand where
// the tests run: the Dockerfile and the systemd unit are parsed, and what
// they tell openswf is read by openswf's own parsers.

const repoRoot = "../.."

// dockerInstruction is one instruction of a Dockerfile, its continuation
// lines joined.
type dockerInstruction struct {
	line int    // where it starts
	cmd  string // upper case
	args string
}

// dockerStage is a FROM and the instructions up to the next one.
type dockerStage struct {
	from, name string
	body       []dockerInstruction
}

// parseDockerfile reads the subset of the Dockerfile syntax the image
// uses: comments, a backslash at the end of a line continuing it (comment
// lines inside a continuation are dropped, as Docker drops them), and
// instructions grouped by stage. Heredocs and a changed escape character
// are refused rather than misread.
func parseDockerfile(t *testing.T, text string) []dockerStage {
	t.Helper()
	var stages []dockerStage
	var cur strings.Builder
	start := 0
	flush := func() {
		s := strings.TrimSpace(cur.String())
		cur.Reset()
		if s == "" {
			return
		}
		cmd, args, _ := strings.Cut(s, " ")
		in := dockerInstruction{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		if strings.Contains(in.args, "<<") {
			t.Fatalf("line %d: heredocs are not understood by this test", start)
		}
		if in.cmd == "FROM" {
			f := strings.Fields(in.args)
			f = slices.DeleteFunc(f, func(w string) bool { return strings.HasPrefix(w, "--") })
			st := dockerStage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			} else if len(f) != 1 {
				t.Fatalf("line %d: FROM %s", start, in.args)
			}
			stages = append(stages, st)
			return
		}
		if len(stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("line %d: %s before FROM", start, in.cmd)
			}
			return
		}
		last := &stages[len(stages)-1]
		last.body = append(last.body, in)
	}
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "#") {
			if i < 5 && strings.HasPrefix(strings.ToLower(strings.ReplaceAll(line, " ", "")), "#escape=") {
				t.Fatalf("line %d: a changed escape character is not understood by this test", i+1)
			}
			continue
		}
		if cur.Len() == 0 {
			if line == "" {
				continue
			}
			start = i + 1
		}
		if rest, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(rest + " ")
			continue
		}
		cur.WriteString(line)
		flush()
	}
	if cur.Len() > 0 {
		t.Fatalf("line %d: continued past the end of the file", start)
	}
	return stages
}

// all returns the instructions of the stage named cmd.
func (s dockerStage) all(cmd string) []dockerInstruction {
	var out []dockerInstruction
	for _, in := range s.body {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// execForm decodes an instruction's JSON array (exec form), the form that
// needs no shell, which the image does not have.
func execForm(t *testing.T, in dockerInstruction, args string) []string {
	t.Helper()
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil || len(argv) == 0 {
		t.Fatalf("line %d: %s %s is not in exec form (a JSON array): %v", in.line, in.cmd, args, err)
	}
	return argv
}

// dockerEnv reads ENV instructions in the KEY=value form, values unquoted
// or double-quoted.
func dockerEnv(t *testing.T, st dockerStage) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, in := range st.all("ENV") {
		for _, w := range strings.Fields(in.args) {
			k, v, ok := strings.Cut(w, "=")
			if !ok {
				t.Fatalf("line %d: ENV %s: use KEY=value", in.line, in.args)
			}
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
			env[k] = v
		}
	}
	return env
}

// settingEnvs are the environment variables openswf serve reads.
func settingEnvs() map[string]bool {
	m := map[string]bool{}
	for _, s := range settings() {
		m[s.env] = true
	}
	return m
}

func readRepoFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPackagingDockerfile(t *testing.T) {
	stages := parseDockerfile(t, readRepoFile(t, "Dockerfile"))
	if len(stages) < 2 {
		t.Fatalf("%d stages: want a build stage and a final one", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]
	if build.name == "" || !strings.HasPrefix(build.from, "golang:") {
		t.Errorf("the first stage is FROM %s AS %q: want a named golang stage", build.from, build.name)
	}
	if final.from == build.name || strings.HasPrefix(final.from, "golang") {
		t.Errorf("the final stage is FROM %s: want a minimal base", final.from)
	}

	// The binary is built static, without the build machine's paths or
	// debugging tables.
	var goBuild string
	for _, in := range build.all("RUN") {
		if strings.Contains(in.args, "go build") {
			goBuild = in.args
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags="-s -w"`, "./cmd/openswf"} {
		if !strings.Contains(goBuild, want) {
			t.Errorf("the go build lacks %s: %q", want, goBuild)
		}
	}

	// Only the binary (and the volume's directory) reach the final stage.
	binary := ""
	for _, in := range final.all("COPY") {
		f := strings.Fields(in.args)
		if !slices.Contains(f, "--from="+build.name) {
			t.Errorf("line %d: COPY %s: the final stage copies from the build stage only", in.line, in.args)
		}
		if path.Base(f[len(f)-2]) == "openswf" {
			binary = f[len(f)-1]
		}
	}

	users := final.all("USER")
	if len(users) == 0 {
		t.Error("the final stage sets no USER")
	} else {
		u := users[len(users)-1].args
		name, _, _ := strings.Cut(u, ":")
		if name == "root" || name == "0" || name == "" {
			t.Errorf("USER %s: the service must not run as root", u)
		}
		if _, err := strconv.Atoi(name); err != nil {
			t.Errorf("USER %s: numeric, so that a runtime can check it is not root without the image's passwd", u)
		}
	}

	var volumes []string
	for _, in := range final.all("VOLUME") {
		if strings.HasPrefix(in.args, "[") {
			volumes = append(volumes, execForm(t, in, in.args)...)
		} else {
			volumes = append(volumes, strings.Fields(in.args)...)
		}
	}
	if len(volumes) == 0 {
		t.Error("no VOLUME")
	}
	var exposed []string
	for _, in := range final.all("EXPOSE") {
		exposed = append(exposed, strings.Fields(in.args)...)
	}
	if !slices.Contains(exposed, "7930") && !slices.Contains(exposed, "7930/tcp") {
		t.Errorf("EXPOSE %v: want 7930", exposed)
	}

	env := dockerEnv(t, final)
	known := settingEnvs()
	for k := range env {
		// A misspelt variable would be ignored without a word.
		if strings.HasPrefix(k, "OPENSWF_") && !known[k] {
			t.Errorf("ENV %s is not a setting of openswf serve", k)
		}
	}

	// What the container runs: ENTRYPOINT and CMD, read by the real
	// parser in the image's environment.
	eps, cmds := final.all("ENTRYPOINT"), final.all("CMD")
	if len(eps) != 1 || len(cmds) != 1 {
		t.Fatalf("%d ENTRYPOINT and %d CMD in the final stage: want one of each", len(eps), len(cmds))
	}
	entrypoint := execForm(t, eps[0], eps[0].args)
	argv := append(entrypoint[1:], execForm(t, cmds[0], cmds[0].args)...)
	if binary == "" || entrypoint[0] != binary {
		t.Errorf("ENTRYPOINT runs %s; the binary is copied to %q", entrypoint[0], binary)
	}
	if len(argv) == 0 || argv[0] != "serve" {
		t.Fatalf("the container runs %v: want serve", argv)
	}
	getenv := func(k string) string { return env[k] }
	cfg, err := parseConfig("serve", argv[1:], getenv)
	if err != nil {
		t.Fatalf("openswf %v in the image's environment: %v", argv, err)
	}
	host, port, _ := net.SplitHostPort(cfg.Listen)
	if ip := net.ParseIP(host); (host != "" && (ip == nil || !ip.IsUnspecified())) || port != "7930" {
		t.Errorf("listens on %s: want every address of the container, port 7930", cfg.Listen)
	}
	db, ok := strings.CutPrefix(cfg.Store, "sqlite:")
	if !ok || !slices.ContainsFunc(volumes, func(v string) bool { return strings.HasPrefix(db, strings.TrimSuffix(v, "/")+"/") }) {
		t.Errorf("the store %s is not on a volume %v", cfg.Store, volumes)
	}
	if !cfg.authenticated() || cfg.Principals != "/etc/openswf/principals.json" {
		t.Errorf("auth sigv4 %v, principals %q: want signatures checked against /etc/openswf/principals.json", cfg.authenticated(), cfg.Principals)
	}

	// The health check runs the binary's own probe, which GETs /healthz on
	// the port the server listens on.
	hcs := final.all("HEALTHCHECK")
	if len(hcs) != 1 {
		t.Fatalf("%d HEALTHCHECK instructions in the final stage: want one", len(hcs))
	}
	opts, probe, ok := strings.Cut(hcs[0].args, "CMD ")
	if !ok {
		t.Fatalf("HEALTHCHECK %s: no CMD", hcs[0].args)
	}
	if !strings.Contains(opts, "--timeout=") || !strings.Contains(opts, "--interval=") {
		t.Errorf("HEALTHCHECK %s: set its interval and timeout", opts)
	}
	hc := execForm(t, hcs[0], strings.TrimSpace(probe))
	if hc[0] != binary || len(hc) < 2 || hc[1] != "healthcheck" {
		t.Fatalf("HEALTHCHECK runs %v: want %s healthcheck", hc, binary)
	}
	if slices.ContainsFunc(hc[2:], func(a string) bool { return strings.HasPrefix(a, "-url") || strings.HasPrefix(a, "--url") }) {
		t.Errorf("HEALTHCHECK %v: let the probe derive its URL from the listen address", hc)
	}
	url, tlsOn := localHealthURL(getenv)
	if want := "http://127.0.0.1:" + port + "/healthz"; url != want || tlsOn {
		t.Errorf("the probe GETs %s: want %s", url, want)
	}
}

// The binary the Dockerfile's build command makes is static, as the
// distroless static base requires, and carries its version.
func TestPackagingStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary (a minute when the build cache is cold)")
	}
	// As in the golang image: cgo off, and the toolchain's default VCS
	// stamping, whatever this machine's GOFLAGS say; unless git cannot
	// read the checkout here, which would fail the build rather than
	// leave the stamp out.
	head, gitErr := exec.Command("git", "-C", repoRoot, "rev-parse", "HEAD").Output()
	vcs := "auto"
	if gitErr != nil {
		vcs = "false"
	}
	bin := filepath.Join(t.TempDir(), "openswf")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/openswf")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs="+vcs)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary names a dynamic loader: it is not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs %v", libs)
	}
	if f.Section(".symtab") != nil {
		t.Error("the binary keeps its symbol table (-s)")
	}

	out, err := exec.Command(bin, "version", "--json").Output()
	if err != nil {
		t.Fatalf("version: %v", err)
	}
	var b buildInfo
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if b.Module != "github.com/openswf/openswf" || b.Version == "" {
		t.Errorf("version --json: %s", out)
	}
	// In a git checkout (as the image's build context is, .git included)
	// the commit is stamped.
	if gitErr == nil {
		if want := strings.TrimSpace(string(head)); b.Revision != want {
			t.Errorf("revision %q, want HEAD %s", b.Revision, want)
		}
	}
}

// .dockerignore keeps local state out of the build context but none of
// what git tracks, which would make every image say its tree was modified.
func TestPackagingDockerignore(t *testing.T) {
	var patterns []string
	for _, l := range strings.Split(readRepoFile(t, ".dockerignore"), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			if strings.HasPrefix(l, "!") {
				t.Fatalf(".dockerignore: exceptions (%s) are beyond this test", l)
			}
			patterns = append(patterns, l)
		}
	}
	for file, want := range map[string]bool{
		"data/openswf.db":     true,
		"data/openswf.db-wal": true,
		"openswf.db":          true,
		"cmd/openswf/x.db":    true,
		"openswf":             true,
		"cmd/openswf/main.go": false,
		"go.mod":              false,
		".git/HEAD":           false,
		"Dockerfile":          false,
	} {
		if got := slices.ContainsFunc(patterns, func(p string) bool { return dockerignored(p, file) }); got != want {
			t.Errorf("%s ignored %v, want %v", file, got, want)
		}
	}
	out, err := exec.Command("git", "-C", repoRoot, "ls-files").Output()
	if err != nil {
		t.Skipf("no git checkout: %v", err)
	}
	for _, file := range strings.Fields(string(out)) {
		for _, p := range patterns {
			if dockerignored(p, file) {
				t.Errorf("%s is tracked but .dockerignore's %s drops it", file, p)
			}
		}
	}
}

// dockerignored reports whether a .dockerignore pattern drops file (a path
// from the root, with slashes), as Docker matches: the pattern is anchored
// at the root, ** matches any number of directories, and a pattern that
// matches a directory drops everything in it.
func dockerignored(pattern, file string) bool {
	pat := strings.Split(path.Clean(strings.TrimPrefix(pattern, "/")), "/")
	parts := strings.Split(file, "/")
	for n := 1; n <= len(parts); n++ {
		if matchSegments(pat, parts[:n]) {
			return true
		}
	}
	return false
}

func matchSegments(pat, parts []string) bool {
	if len(pat) == 0 {
		return len(parts) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(parts); i++ {
			if matchSegments(pat[1:], parts[i:]) {
				return true
			}
		}
		return false
	}
	if len(parts) == 0 {
		return false
	}
	ok, _ := path.Match(pat[0], parts[0])
	return ok && matchSegments(pat[1:], parts[1:])
}

// systemdUnit is a unit file: section → key → values, in order (a key may
// be repeated).
type systemdUnit map[string]map[string][]string

// parseSystemdUnit reads the unit file syntax: [Section] headers,
// Key=Value lines, # and ; comments, and a backslash continuing a line.
func parseSystemdUnit(t *testing.T, text string) systemdUnit {
	t.Helper()
	u := systemdUnit{}
	section := ""
	var cur strings.Builder
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if cur.Len() == 0 && (line == "" || line[0] == '#' || line[0] == ';') {
			continue
		}
		if rest, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(rest + " ")
			continue
		}
		cur.WriteString(line)
		line = cur.String()
		cur.Reset()
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				t.Fatalf("line %d: %q is not a section header", i+1, line)
			}
			section = line[1 : len(line)-1]
			if u[section] != nil {
				t.Fatalf("line %d: section %s again", i+1, section)
			}
			u[section] = map[string][]string{}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || section == "" || strings.TrimSpace(k) == "" {
			t.Fatalf("line %d: %q is not Key=Value in a section", i+1, line)
		}
		k = strings.TrimSpace(k)
		u[section][k] = append(u[section][k], strings.TrimSpace(v))
	}
	return u
}

// one returns the single value of a key, failing if it is missing or set
// more than once.
func (u systemdUnit) one(t *testing.T, section, key string) string {
	t.Helper()
	vs := u[section][key]
	if len(vs) != 1 {
		t.Errorf("[%s] %s is set %d times: want once", section, key, len(vs))
		return ""
	}
	return vs[0]
}

func TestPackagingSystemdUnit(t *testing.T) {
	text := readRepoFile(t, "deploy/systemd/openswf.service")
	u := parseSystemdUnit(t, text)
	for _, s := range []string{"Unit", "Service", "Install"} {
		if u[s] == nil {
			t.Errorf("no [%s] section", s)
		}
	}
	for key, want := range map[string]string{
		"Restart":         "on-failure",
		"NoNewPrivileges": "yes",
		"ProtectSystem":   "strict",
		"ProtectHome":     "yes",
		"PrivateTmp":      "yes",
		"StateDirectory":  "openswf",
		"ExecReload":      "/bin/kill -HUP $MAINPID",
	} {
		if got := u.one(t, "Service", key); got != want {
			t.Errorf("%s=%s, want %s", key, got, want)
		}
	}
	if n, err := strconv.Atoi(u.one(t, "Service", "LimitNOFILE")); err != nil || n < 4096 {
		t.Errorf("LimitNOFILE=%s: every long poll holds a descriptor", u["Service"]["LimitNOFILE"])
	}
	user := u.one(t, "Service", "User")
	if user == "" || user == "root" {
		t.Errorf("User=%s: want a dedicated user", user)
	}

	// ExecStart as systemd splits it (the unit uses no quotes, so words
	// are separated by spaces), then read by the real parser.
	execStart := u.one(t, "Service", "ExecStart")
	if strings.ContainsAny(execStart, `"'`) {
		t.Fatalf("ExecStart=%s: quoting is beyond this test's splitter", execStart)
	}
	argv := strings.Fields(execStart)
	if len(argv) < 2 || argv[0] != "/usr/local/bin/openswf" || argv[1] != "serve" {
		t.Fatalf("ExecStart=%s: want /usr/local/bin/openswf serve …", execStart)
	}
	cfg, err := parseConfig("serve", argv[2:], func(string) string { return "" })
	if err != nil {
		t.Fatalf("ExecStart=%s: %v", execStart, err)
	}
	if want := "sqlite:/var/lib/" + u.one(t, "Service", "StateDirectory") + "/openswf.db"; cfg.Store != want {
		t.Errorf("--store %s: want %s, in the StateDirectory", cfg.Store, want)
	}
	if !cfg.authenticated() {
		t.Error("the unit serves without --auth sigv4")
	}
	// systemd's SIGKILL must not cut the graceful shutdown short.
	if stop, err := time.ParseDuration(u.one(t, "Service", "TimeoutStopSec")); err != nil || stop <= cfg.ShutdownTimeout {
		t.Errorf("TimeoutStopSec=%s: want more than --shutdown-timeout %s", u["Service"]["TimeoutStopSec"], cfg.ShutdownTimeout)
	}

	// The user the unit names is the one sysusers.d creates.
	sysusers := readRepoFile(t, "deploy/systemd/openswf.sysusers")
	if !slices.ContainsFunc(strings.Split(sysusers, "\n"), func(l string) bool {
		f := strings.Fields(l)
		return len(f) >= 2 && f[0] == "u" && f[1] == user
	}) {
		t.Errorf("openswf.sysusers does not create the user %s", user)
	}

	// Every variable the example environment file names, set or commented
	// out, is one openswf reads (or the PostgreSQL driver's PG*).
	known := settingEnvs()
	for i, l := range strings.Split(readRepoFile(t, "deploy/systemd/openswf.env"), "\n") {
		k, _, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(l), "#"), "=")
		if !ok || strings.ContainsAny(k, " \t") {
			continue
		}
		if !known[k] && !strings.HasPrefix(k, "PG") {
			t.Errorf("openswf.env:%d: %s is not a setting of openswf serve", i+1, k)
		}
	}

	// Where systemd's own checker is installed, it must have nothing to
	// say (it reports unknown keys and bad values, but exits 0).
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		return
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "openswf.service")
	if err := os.WriteFile(unit, []byte(strings.ReplaceAll(text, "/usr/local/bin/openswf", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", unit).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		fmt.Fprintln(w, http.StatusText(status))
	}))
	defer srv.Close()

	// A port nothing listens on: one just closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/healthz"
	l.Close()

	for _, c := range []struct {
		name   string
		status int
		args   []string
		code   int
		say    string
	}{
		{"healthy", http.StatusOK, []string{"--url", srv.URL + "/healthz"}, 0, "200 OK"},
		{"unhealthy", http.StatusServiceUnavailable, []string{"--url", srv.URL + "/healthz"}, 1, "Service Unavailable"},
		{"not found", http.StatusOK, []string{"--url", srv.URL + "/nothing"}, 1, "404"},
		{"unreachable", http.StatusOK, []string{"--url", closed}, 1, "refused"},
		{"bad flag", http.StatusOK, []string{"--nope"}, 1, "not defined"},
		{"stray argument", http.StatusOK, []string{"--url", srv.URL + "/healthz", "more"}, 1, "unexpected"},
	} {
		status = c.status
		var out, errs bytes.Buffer
		err := run(append([]string{"healthcheck"}, c.args...), &out, &errs)
		if got := exitCode(err); got != c.code {
			t.Errorf("%s: exit %d (%v), want %d", c.name, got, err, c.code)
		}
		said := out.String() + errs.String()
		if err != nil {
			said += err.Error()
		}
		if !strings.Contains(said, c.say) {
			t.Errorf("%s: said %q, want it to mention %q", c.name, said, c.say)
		}
	}
	if exitCode(fmt.Errorf("other")) != 2 {
		t.Error("other errors no longer exit 2")
	}
}

// A server that does not answer in time is unhealthy.
func TestHealthcheckTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	var out, errs bytes.Buffer
	err := run([]string{"healthcheck", "--url", srv.URL + "/healthz", "--timeout", "100ms"}, &out, &errs)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "Timeout") {
		t.Errorf("exit %d: %v", exitCode(err), err)
	}
}

func TestHealthcheckLocalURL(t *testing.T) {
	for _, c := range []struct {
		listen, cert string
		url          string
	}{
		{"", "", "http://127.0.0.1:7930/healthz"},
		{"0.0.0.0:7930", "", "http://127.0.0.1:7930/healthz"},
		{":8080", "", "http://127.0.0.1:8080/healthz"},
		{"[::]:7930", "", "http://[::1]:7930/healthz"},
		{"[::1]:7930", "", "http://[::1]:7930/healthz"},
		{"10.1.2.3:7930", "", "http://10.1.2.3:7930/healthz"},
		{"localhost:7930", "/etc/openswf/cert.pem", "https://localhost:7930/healthz"},
	} {
		env := map[string]string{"OPENSWF_LISTEN": c.listen, "OPENSWF_TLS_CERT": c.cert}
		url, tlsOn := localHealthURL(func(k string) string { return env[k] })
		if url != c.url || tlsOn != (c.cert != "") {
			t.Errorf("listen %q cert %q: %s (tls %v), want %s", c.listen, c.cert, url, tlsOn, c.url)
		}
	}
}

// Over HTTPS, the derived URL reaches the server by its loopback address,
// which its certificate does not name; an explicit URL is verified.
func TestHealthcheckTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	}))
	// The refused handshake below is expected; keep it out of the output.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	env := map[string]string{"OPENSWF_LISTEN": srv.Listener.Addr().String(), "OPENSWF_TLS_CERT": "cert.pem"}
	var out, errs bytes.Buffer
	if err := runHealthcheck(nil, &out, &errs, func(k string) string { return env[k] }); err != nil {
		t.Errorf("derived HTTPS URL: %v", err)
	}
	err := runHealthcheck([]string{"--url", srv.URL + "/healthz"}, &out, &errs, func(string) string { return "" })
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("explicit URL, unknown authority: exit %d: %v", exitCode(err), err)
	}
}

// The probe against the real server, as the image runs it: signatures
// required, the address in the environment, /healthz answered without one.
func TestHealthcheckServe(t *testing.T) {
	s := startServe(t, sigv4Config(t, testPrincipals()))
	env := map[string]string{"OPENSWF_LISTEN": strings.TrimPrefix(s.url, "http://")}
	var out, errs bytes.Buffer
	if err := runHealthcheck(nil, &out, &errs, func(k string) string { return env[k] }); err != nil {
		t.Fatalf("healthcheck of a serving server: %v\n%s", err, s.log)
	}
	if !strings.Contains(out.String(), "200 OK") {
		t.Errorf("said %q", out.String())
	}
}
