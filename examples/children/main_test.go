package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/swftest"
)

func TestChildren(t *testing.T) {
	srv := swftest.Start(t, swftest.Options{Clock: clock.Real{}, LongPoll: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := children(ctx, srv.Client, "1 2 3 4")
	if err != nil {
		t.Fatal(err)
	}
	if r != "1² + 2² + 3² + 4² = 30" {
		t.Fatalf("result %q", r)
	}
	// A child that fails fails its parent.
	if _, err := children(ctx, srv.Client, "5 x"); err == nil || !strings.Contains(err.Error(), "child") {
		t.Fatalf("a failing child gave %v", err)
	}
	if err := run(ctx, srv.URL, io.Discard); err != nil {
		t.Fatal(err)
	}
}
