package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/swftest"
	"github.com/openswf/openswf/worker"
)

func TestCancel(t *testing.T) {
	srv := swftest.Start(t, swftest.Options{Clock: clock.Real{}, LongPoll: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := cancelDemo(ctx, srv.Client, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("result %q, lag %v", r.result, r.lag)
	if !strings.HasPrefix(r.result, "Canceled (slept ") || !errors.Is(r.cause, worker.ErrCancelRequested) {
		t.Fatalf("result %q, cause %v", r.result, r.cause)
	}
	// Within one heartbeat interval (1 s), plus the time the decision takes
	// to reach the server and the heartbeat's answer to come back: the
	// timer fires on the heartbeats' beat, so the worst case is the usual.
	if r.lag <= 0 || r.lag > 2*time.Second { // room for a loaded CI machine
		t.Fatalf("the cancel took %v to reach the activity", r.lag)
	}
	if err := run(ctx, srv.URL, io.Discard); err != nil {
		t.Fatal(err)
	}
}
