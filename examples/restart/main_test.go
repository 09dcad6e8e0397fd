package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/swftest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The example's workflow completes although the server is stopped for a
// second in the middle of it and started again on the same store and port.
func TestRestart(t *testing.T) {
	store := "sqlite:" + filepath.Join(t.TempDir(), "openswf.db")
	srv := swftest.Start(t, swftest.Options{Store: store, Clock: clock.Real{}, LongPoll: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, srv.URL, out) }()
	for !strings.Contains(out.String(), "step 2 done") {
		select {
		case err := <-done:
			t.Fatalf("the example ended before the restart: %v\n%s", err, out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	srv.Stop(t) // step 3 is running: its heartbeats and answer meet a dead server
	time.Sleep(time.Second)
	swftest.Start(t, swftest.Options{Store: store, Listen: strings.TrimPrefix(srv.URL, "http://"), Clock: clock.Real{}, LongPoll: time.Second})
	if err := <-done; err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Log(out)
	if !strings.Contains(out.String(), "result: 5 steps done") {
		t.Fatalf("output:\n%s", out)
	}
}
