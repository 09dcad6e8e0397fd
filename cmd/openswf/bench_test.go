package main

import (
	"io"
	"slices"
	"testing"
)

// The scenario may come anywhere among the flags, and --server-pid takes
// one process or several, repeated or comma-separated.
func TestParseBench(t *testing.T) {
	cfg, asJSON, err := parseBench([]string{"--json", "--server-pid", "12,34", "workflow", "--server-pid", "56", "--duration", "2s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Scenario != "workflow" || !asJSON || !slices.Equal(cfg.ServerPIDs, []int{12, 34, 56}) || cfg.Duration.String() != "2s" {
		t.Errorf("parsed %+v, json %v", cfg, asJSON)
	}
	for _, bad := range [][]string{
		{"heartbeat", "--server-pid", "x"},
		{"heartbeat", "--server-pid", "-3"},
		{"heartbeat", "workflow"},
		{},
	} {
		if _, _, err := parseBench(bad, io.Discard); err == nil {
			t.Errorf("parseBench(%q) did not fail", bad)
		}
	}
}
