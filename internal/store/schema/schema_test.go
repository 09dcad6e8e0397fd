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
