package main

import (
	"bytes"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run([]string{"version"}, &out, &errs); err != nil {
		t.Fatalf("version: %v\n%s", err, errs.String())
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if !strings.HasPrefix(lines[0], "openswf ") || len(lines[0]) == len("openswf ") {
		t.Errorf("first line %q: want openswf and the version", lines[0])
	}
	// A test binary is built without version control stamps, so the
	// revision row says why it is missing.
	rows := map[string]string{}
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(l), " ")
		if !ok {
			t.Errorf("row %q is not a key and a value", l)
			continue
		}
		rows[k] = strings.TrimSpace(v)
	}
	for k, want := range map[string]string{
		"module": "github.com/openswf/openswf",
		"go":     runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
	} {
		if rows[k] != want {
			t.Errorf("%s: %q, want %q\n%s", k, rows[k], want, out.String())
		}
	}
	if rows["version"] == "" || rows["revision"] == "" {
		t.Errorf("version or revision missing:\n%s", out.String())
	}
}

func TestVersionJSON(t *testing.T) {
	var out, errs bytes.Buffer
	if err := run([]string{"version", "--json"}, &out, &errs); err != nil {
		t.Fatalf("version --json: %v\n%s", err, errs.String())
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	for k, want := range map[string]any{
		"module":   "github.com/openswf/openswf",
		"go":       runtime.Version(),
		"platform": runtime.GOOS + "/" + runtime.GOARCH,
	} {
		if got[k] != want {
			t.Errorf("%s: %v, want %v", k, got[k], want)
		}
	}
	if v, _ := got["version"].(string); v == "" {
		t.Errorf("no version: %s", out.String())
	}
	if _, ok := got["modified"].(bool); !ok {
		t.Errorf("modified is not a boolean: %s", out.String())
	}
}

func TestVersionRefusesArguments(t *testing.T) {
	for _, args := range [][]string{{"version", "extra"}, {"version", "--yaml"}} {
		var out, errs bytes.Buffer
		if err := run(args, &out, &errs); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

// What a binary built from a checkout records, read as the toolchain
// writes it.
func TestVersionFromBuildInfo(t *testing.T) {
	const rev = "4f7ec0317ad73f753057b7b947ab9637d51faeea"
	stamped := func(version, modified string) *debug.BuildInfo {
		return &debug.BuildInfo{
			GoVersion: "go1.26.8",
			Main:      debug.Module{Path: "github.com/openswf/openswf", Version: version},
			Settings: []debug.BuildSetting{
				{Key: "CGO_ENABLED", Value: "0"},
				{Key: "vcs", Value: "git"},
				{Key: "vcs.revision", Value: rev},
				{Key: "vcs.time", Value: "2026-12-01T05:16:50Z"},
				{Key: "vcs.modified", Value: modified},
			},
		}
	}
	for _, c := range []struct {
		name  string
		info  *debug.BuildInfo
		short string
		want  buildInfo
	}{
		{"pseudo-version of a modified tree", stamped("v0.0.0-20261201051650-4f7ec0317ad7+dirty", "true"),
			"v0.0.0-20261201051650-4f7ec0317ad7+dirty",
			buildInfo{Module: "github.com/openswf/openswf", Version: "v0.0.0-20261201051650-4f7ec0317ad7+dirty", Revision: rev, Time: "2026-12-01T05:16:50Z", Modified: true, Go: "go1.26.8", Platform: "linux/arm64"}},
		{"tagged", stamped("v1.2.0", "false"), "v1.2.0 (4f7ec0317ad7)",
			buildInfo{Module: "github.com/openswf/openswf", Version: "v1.2.0", Revision: rev, Time: "2026-12-01T05:16:50Z", Go: "go1.26.8", Platform: "linux/arm64"}},
		{"devel, modified", stamped("(devel)", "true"), "(devel) (4f7ec0317ad7, modified)",
			buildInfo{Module: "github.com/openswf/openswf", Version: "(devel)", Revision: rev, Time: "2026-12-01T05:16:50Z", Modified: true, Go: "go1.26.8", Platform: "linux/arm64"}},
		{"go install module@version", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/openswf/openswf", Version: "v1.2.0"}}, "v1.2.0",
			buildInfo{Module: "github.com/openswf/openswf", Version: "v1.2.0", Go: "go1.26.8", Platform: "linux/arm64"}},
		{"no build information", nil, "(unknown)",
			buildInfo{Module: "github.com/openswf/openswf", Version: "(unknown)", Go: runtime.Version(), Platform: "linux/arm64"}},
	} {
		got := newBuildInfo(c.info, "linux/arm64")
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
		if s := got.short(); s != c.short {
			t.Errorf("%s: short %q, want %q", c.name, s, c.short)
		}
		var out bytes.Buffer
		if err := writeVersion(&out, got, false); err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(out.String(), "\n"); first != "openswf "+c.short {
			t.Errorf("%s: first line %q", c.name, first)
		}
		if c.want.Revision != "" && !strings.Contains(out.String(), "revision  "+rev) {
			t.Errorf("%s: the full revision is missing:\n%s", c.name, out.String())
		}
	}
}

// The start-up line says which binary is serving, from the same record.
func TestVersionInStartupLog(t *testing.T) {
	s := startServe(t, defaultConfig())
	var line string
	for _, l := range strings.Split(s.log.String(), "\n") {
		if strings.Contains(l, `msg="openswf serving"`) {
			line = l
		}
	}
	b := readBuildInfo()
	for _, want := range []string{"build.version=" + b.Version, "build.go=" + b.Go} {
		if !strings.Contains(line, want) {
			t.Errorf("start-up line lacks %s:\n%s", want, s.log.String())
		}
	}
}
