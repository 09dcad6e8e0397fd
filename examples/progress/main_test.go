package main

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/swftest"
)

// syncBuffer is a bytes.Buffer safe for the example's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func TestProgress(t *testing.T) {
	srv := swftest.Start(t, swftest.Options{Clock: clock.Real{}, LongPoll: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := &syncBuffer{}
	r, err := progress(ctx, srv.Client, out)
	if err != nil {
		t.Fatal(err)
	}
	out.mu.Lock()
	t.Log(out.b.String())
	out.mu.Unlock()
	if r.result != "400 numbers crunched" {
		t.Fatalf("result %q", r.result)
	}
	// 4 s at a heartbeat a second; the reports coalesced.
	if r.heartbeats < 3 || r.heartbeats > 5 || r.reports != 400 {
		t.Fatalf("%d heartbeats for %d reports", r.heartbeats, r.reports)
	}
	// And the example runs twice against one server.
	if err := run(ctx, srv.URL, out); err != nil {
		t.Fatal(err)
	}
}
