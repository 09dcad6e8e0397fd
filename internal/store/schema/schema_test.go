package schema

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	ms, err := Load(fstest.MapFS{
		"0002_b.sql": {Data: []byte("B")}, "0001_a.sql": {Data: []byte("A")}, "README": {}, "sub/0003_c.sql": {},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0] != (Migration{1, "a", "A"}) || ms[1] != (Migration{2, "b", "B"}) {
		t.Fatalf("loaded %+v", ms)
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"no number", fstest.MapFS{"init.sql": {}}, "0001_name.sql"},
		{"no name", fstest.MapFS{"0001.sql": {}}, "0001_name.sql"},
		{"zero", fstest.MapFS{"0000_x.sql": {}}, "0001_name.sql"},
		{"shared version", fstest.MapFS{"0001_a.sql": {}, "001_b.sql": {}}, "share version 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	steps := []Migration{{1, "a", ""}, {2, "b", ""}, {3, "c", ""}}
	st := Compare(steps, []int{1, 3, 7, 5})
	if len(st.Pending) != 1 || st.Pending[0].Version != 2 || len(st.Unknown) != 2 || st.Unknown[0] != 5 || st.Unknown[1] != 7 {
		t.Fatalf("Compare = %+v", st)
	}
	if st := Compare(steps, []int{1, 2, 3}); len(st.Pending)+len(st.Unknown) != 0 {
		t.Fatalf("a current database: %+v", st)
	}
	newer := (&NewerError{Unknown: []int{9}, Known: 8}).Error()
	outdated := (&OutdatedError{Pending: steps[1:]}).Error()
	for _, c := range []struct{ got, want string }{
		{newer, "version 0009, newer than this openswf knows (up to 8)"},
		{outdated, "lacks 2 migration(s) this openswf needs (0002_b, 0003_c): apply them with `openswf migrate"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%q does not say %q", c.got, c.want)
		}
	}
}
