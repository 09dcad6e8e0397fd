package service

import (
	"fmt"
	"testing"
)

// evs returns the JSON of events first to last of a run, as tests write it.
func evs(run string, first, last int) [][]byte {
	var out [][]byte
	for id := first; id <= last; id++ {
		out = append(out, []byte(fmt.Sprintf(`{"run":%q,"eventId":%d}`, run, id)))
	}
	return out
}

// wantKnown checks that the cache knows exactly events 1 to n of run.
func wantKnown(t *testing.T, c *historyCache, run string, n int) {
	t.Helper()
	got := c.known(run)
	if len(got) != n {
		t.Fatalf("%s: cache knows %d events, want %d", run, len(got), n)
	}
	for i, ev := range got {
		if want := fmt.Sprintf(`{"run":%q,"eventId":%d}`, run, i+1); string(ev) != want {
			t.Fatalf("%s: event %d is %s, want %s", run, i+1, ev, want)
		}
	}
}

func TestHistoryCacheKeepsAPrefix(t *testing.T) {
	c := newHistoryCache(1 << 20)
	c.add("r", 2, evs("r", 2, 5)) // not from the start: nothing to attach to
	wantKnown(t, c, "r", 0)
	c.add("r", 1, evs("r", 1, 3))
	wantKnown(t, c, "r", 3)
	c.add("r", 5, evs("r", 5, 6)) // a gap after 3
	wantKnown(t, c, "r", 3)
	c.add("r", 2, evs("r", 2, 6)) // overlaps: only 4 to 6 are new
	wantKnown(t, c, "r", 6)
	c.add("r", 1, evs("r", 1, 4)) // all known
	wantKnown(t, c, "r", 6)

	// What known returned stays as it was while the history grows.
	before := c.known("r")
	c.add("r", 7, evs("r", 7, 40))
	if len(before) != 6 || string(before[5]) != `{"run":"r","eventId":6}` {
		t.Fatalf("a slice known returned changed: %q", before)
	}
	wantKnown(t, c, "r", 40)

	c.forget([]string{"r", "unknown"})
	wantKnown(t, c, "r", 0)
	if c.size != 0 || c.lru.Len() != 0 || len(c.runs) != 0 {
		t.Fatalf("forgotten, the cache still counts %d bytes, %d runs", c.size, c.lru.Len())
	}
}

func TestHistoryCacheEvictsLeastRecentlyUsed(t *testing.T) {
	one := len(evs("a", 1, 1)[0]) + historyEntryOverhead
	c := newHistoryCache(10 * one) // ten events
	c.add("a", 1, evs("a", 1, 4))
	c.add("b", 1, evs("b", 1, 4))
	c.known("a") // a is now used more recently than b
	c.add("c", 1, evs("c", 1, 4))
	wantKnown(t, c, "b", 0)
	wantKnown(t, c, "a", 4)
	wantKnown(t, c, "c", 4)
	if c.size != 8*one {
		t.Fatalf("size %d, want %d", c.size, 8*one)
	}

	// A history larger than the whole cache is not kept, and leaves the
	// others be; one that outgrows it is dropped.
	c.add("big", 1, evs("big", 1, 11))
	wantKnown(t, c, "big", 0)
	wantKnown(t, c, "a", 4)
	wantKnown(t, c, "c", 4)
	c.add("c", 5, evs("c", 5, 11))
	wantKnown(t, c, "c", 0)
	wantKnown(t, c, "a", 4)
	if c.size != 4*one {
		t.Fatalf("size %d, want %d", c.size, 4*one)
	}

	off := newHistoryCache(0)
	off.add("a", 1, evs("a", 1, 3))
	wantKnown(t, off, "a", 0)
}
