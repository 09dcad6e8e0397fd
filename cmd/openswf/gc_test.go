package main

import (
	"errors"
	"runtime/debug"
	"testing"
)

func TestSoftMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"max\n", 0, false},
		{"", 0, false},
		{"junk", 0, false},
		{"0\n", 0, false},
		{"536870912\n", 429496728, true},
		{"1073741824", 858993456, true},
	} {
		got, ok := softMemoryLimit(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("softMemoryLimit(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// tuneGC leaves what the environment sets alone, and otherwise sets GOGC
// and, under a cgroup limit, a soft memory limit.
func TestTuneGC(t *testing.T) {
	oldGC := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(-1)
	defer func() {
		debug.SetGCPercent(oldGC)
		debug.SetMemoryLimit(oldLimit)
	}()
	env := func(vals map[string]string) func(string) string { return func(k string) string { return vals[k] } }
	cgroup := func(limit string) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if name != cgroupMemoryMax || limit == "" {
				return nil, errors.New("no such file")
			}
			return []byte(limit), nil
		}
	}

	debug.SetMemoryLimit(1 << 62)
	tuneGC(env(nil), cgroup("1000\n"))
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Errorf("GOGC %d, want %d", got, serveGCPercent)
	}
	if got := debug.SetMemoryLimit(1 << 62); got != 800 {
		t.Errorf("memory limit %d under a cgroup limit of 1000, want 800", got)
	}

	tuneGC(env(map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}), cgroup("1000\n"))
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set in the environment, but changed to %d", got)
	}
	if got := debug.SetMemoryLimit(1 << 62); got != 1<<62 {
		t.Errorf("GOMEMLIMIT set in the environment, but the limit changed to %d", got)
	}

	tuneGC(env(nil), cgroup("max\n"))
	if got := debug.SetMemoryLimit(1 << 62); got != 1<<62 {
		t.Errorf("no cgroup limit, but the limit changed to %d", got)
	}
	tuneGC(env(nil), cgroup(""))
	if got := debug.SetMemoryLimit(1 << 62); got != 1<<62 {
		t.Errorf("no cgroup file, but the limit changed to %d", got)
	}
}
