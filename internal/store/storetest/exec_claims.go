package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// testClaimDueTimers (stores shared by several nodes: store.TimerClaimer):
// a claim takes the due timers no live claim holds, soonest first; a
// second claim passes them by until the lease ends, and NextTimer looks
// past them until then; re-arming a timer ends its claim, removing it
// removes it; and claims racing each other never share a timer.
func testClaimDueTimers(t *testing.T, b Backend) {
	e := newEnv(t, b)
	c, ok := e.s.(store.TimerClaimer)
	if !ok {
		t.Skip("the store fires its timers on one node: no claims")
	}
	claim := func(now time.Time, limit int) []string {
		t.Helper()
		ts, err := c.ClaimDueTimers(t.Context(), now, limit, 10*time.Second)
		if err != nil {
			t.Fatalf("ClaimDueTimers: %v", err)
		}
		var keys []string
		for _, tm := range ts {
			keys = append(keys, tm.Key)
		}
		return keys
	}
	x := runFixture("d", "w", "r", t0)
	x = e.create(x, func(ch *store.ExecutionChange) {
		ch.SetTimers = []store.Timer{timerFixture(x, "k1", t0), timerFixture(x, "k2", t0.Add(time.Minute)), timerFixture(x, "k3", t0.Add(time.Hour))}
	})
	now := t0.Add(2 * time.Minute)
	if got := claim(now, 1); !slices.Equal(got, []string{"k1"}) {
		t.Fatalf("claim of 1 = %v, want [k1]", got)
	}
	if got := claim(now, 10); !slices.Equal(got, []string{"k2"}) {
		t.Fatalf("second claim = %v, want [k2] (k1 claimed)", got)
	}
	if got := claim(now, 10); len(got) != 0 {
		t.Fatalf("third claim = %v, want none", got)
	}
	if at, ok, err := e.s.NextTimer(t.Context()); err != nil || !ok || at.UnixMilli() != now.Add(10*time.Second).UnixMilli() {
		t.Errorf("NextTimer with k1 and k2 claimed = %v, %v, %v; want the claims' end %v", at, ok, err, now.Add(10*time.Second))
	}
	// Every timer stays for the contract's DueTimers, claimed or not.
	if n := len(e.dueTimers(now)); n != 2 {
		t.Errorf("DueTimers with both due timers claimed: %d, want 2", n)
	}
	// The lease ends: claimed again.
	later := now.Add(11 * time.Second)
	if got := claim(later, 10); !slices.Equal(got, []string{"k1", "k2"}) {
		t.Fatalf("claim after the lease = %v, want [k1 k2]", got)
	}
	// Re-armed (k1), it is free at its new time; removed (k2), gone.
	x = e.update(x, func(ch *store.ExecutionChange) {
		ch.SetTimers = []store.Timer{timerFixture(x, "k1", later.Add(time.Second))}
		ch.RemoveTimers = []string{"k1", "k2"}
	})
	if got := claim(later.Add(2*time.Second), 10); !slices.Equal(got, []string{"k1"}) {
		t.Fatalf("claim after re-arming k1 and removing k2 = %v, want [k1]", got)
	}

	// Claims racing for 40 due timers take each once.
	var timers []store.Timer
	for i := range 40 {
		timers = append(timers, timerFixture(x, "race/"+string(rune('a'+i%26))+string(rune('a'+i/26)), t0))
	}
	e.update(x, func(ch *store.ExecutionChange) { ch.SetTimers = timers })
	var (
		mu  sync.Mutex
		all []string
		wg  sync.WaitGroup
	)
	far := later.Add(time.Hour)
	for range 4 {
		wg.Go(func() {
			for {
				ts, err := c.ClaimDueTimers(t.Context(), far, 3, time.Hour)
				if err != nil {
					t.Errorf("ClaimDueTimers: %v", err)
					return
				}
				if len(ts) == 0 {
					return
				}
				mu.Lock()
				for _, tm := range ts {
					all = append(all, tm.Key)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(all)
	// k1 (re-armed, due) and k3 (due at far) are claimed too.
	if len(all) != 42 || len(slices.Compact(slices.Clone(all))) != 42 {
		t.Errorf("racing claims took %d timers, %d distinct; want 42 once each", len(all), len(slices.Compact(slices.Clone(all))))
	}
}
