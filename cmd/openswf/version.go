package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"runtime/debug"
	"strings"
)

// buildInfo is what a binary knows of how it was built. The Go toolchain
// records it in every binary (module version, and the commit when it was
// built from a checkout), so no -ldflags stamp is needed and a binary
// built by `go install module@version` says its version too.
type buildInfo struct {
	Module  string `json:"module"`
	Version string `json:"version"`
	// Revision, Time and Modified come from the version control system:
	// empty when the binary was built outside a checkout (go install
	// module@version, or -buildvcs=false).
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

// readBuildInfo reads this binary's build information.
func readBuildInfo() buildInfo {
	bi, _ := debug.ReadBuildInfo()
	return newBuildInfo(bi, runtime.GOOS+"/"+runtime.GOARCH)
}

// newBuildInfo takes what it needs from the toolchain's record, which is
// nil when the binary was built without module support.
func newBuildInfo(bi *debug.BuildInfo, platform string) buildInfo {
	b := buildInfo{Module: "github.com/openswf/openswf", Version: "(unknown)", Go: runtime.Version(), Platform: platform}
	if bi == nil {
		return b
	}
	if bi.Main.Path != "" {
		b.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		b.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		b.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// short is the first line of `openswf version`: the version, then the
// commit (12 digits are enough to find it) and whether the tree had changes
// not in it, unless the version says them already (a pseudo-version such as
// v0.0.0-20261201051650-4f7ec0317ad7+dirty names its commit).
func (b buildInfo) short() string {
	rev := b.Revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" || strings.Contains(b.Version, rev) {
		return b.Version
	}
	if b.Modified {
		rev += ", modified"
	}
	return b.Version + " (" + rev + ")"
}

// LogValue makes the start-up line carry the build as one group, so that
// a log search finds which binary was running.
func (b buildInfo) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("version", b.Version)}
	if b.Revision != "" {
		attrs = append(attrs, slog.String("revision", b.Revision), slog.Bool("modified", b.Modified))
	}
	if b.Time != "" {
		attrs = append(attrs, slog.String("time", b.Time))
	}
	attrs = append(attrs, slog.String("go", b.Go))
	return slog.GroupValue(attrs...)
}

// runVersion is `openswf version [--json]`.
func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the build information as one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return writeVersion(stdout, readBuildInfo(), *asJSON)
}

func writeVersion(w io.Writer, b buildInfo, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "openswf %s\n", b.short())
	row := func(k, v string) { fmt.Fprintf(&sb, "  %-9s %s\n", k, v) }
	row("module", b.Module)
	row("version", b.Version)
	if b.Revision != "" {
		row("revision", b.Revision)
		row("time", b.Time)
		row("modified", fmt.Sprint(b.Modified))
	} else {
		row("revision", "unknown (built outside a git checkout, or with -buildvcs=false)")
	}
	row("go", b.Go+" "+b.Platform)
	_, err := io.WriteString(w, sb.String())
	return err
}
