package timer

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/store"
)

// stubStore has no timers due and one timer an hour ahead; it counts
// the loop's looks.
type stubStore struct {
	looks atomic.Int64
	next  time.Time
}

func (s *stubStore) DueTimers(context.Context, time.Time, int) ([]store.Timer, error) {
	s.looks.Add(1)
	return nil, nil
}

func (s *stubStore) NextTimer(context.Context) (time.Time, bool, error) {
	return s.next, true, nil
}

// TestArmedWakesOnlyForSoonerTimers: a sleeping loop is woken by a timer
// armed to fire before it would wake, and left asleep by one armed after.
func TestArmedWakesOnlyForSoonerTimers(t *testing.T) {
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	st := &stubStore{next: clk.Now().Add(time.Hour)}
	l := New(st, clk, func(context.Context, store.Timer) error { return nil }, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); l.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()

	asleep := func() {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			l.mu.Lock()
			s := !l.wakeAt.IsZero()
			l.mu.Unlock()
			if s {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the loop does not sleep")
			}
		}
	}
	asleep()
	looks := st.looks.Load()

	// The loop sleeps for at most idle (a second): a timeout a minute
	// ahead does not wake it.
	l.Armed(clk.Now().Add(time.Minute))
	time.Sleep(50 * time.Millisecond)
	if got := st.looks.Load(); got != looks {
		t.Fatalf("a timer armed after the loop's wake-up woke it (%d looks, want %d)", got, looks)
	}

	// One due before then does.
	l.Armed(clk.Now().Add(time.Millisecond))
	for deadline := time.Now().Add(5 * time.Second); st.looks.Load() == looks; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a timer armed before the loop's wake-up did not wake it")
		}
	}
}
