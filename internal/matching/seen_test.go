package matching

import (
	"fmt"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func TestSeenWindowAndBounds(t *testing.T) {
	var s Seen
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := Key{Kind: store.ActivityTask, Domain: "d", TaskList: "tl"}
	s.Saw(k, "w1", t0)
	s.Saw(k, "w2", t0.Add(30*time.Second))
	s.Saw(Key{Kind: store.ActivityTask, Domain: "other", TaskList: "tl"}, "w3", t0)

	got := s.Recent("d", t0.Add(45*time.Second))
	if ps := got[k]; len(got) != 1 || len(ps) != 2 || ps[0].Identity != "w2" || ps[1].Identity != "w1" {
		t.Fatalf("recent at 45s: %+v", got)
	}
	// A minute after w1's poll, only w2 is left.
	got = s.Recent("d", t0.Add(61*time.Second))
	if ps := got[k]; len(ps) != 1 || ps[0].Identity != "w2" {
		t.Fatalf("recent at 61s: %+v", got)
	}

	// Many identities on one list: the record keeps the latest ones.
	for i := range 3 * maxSeenPerList {
		s.Saw(k, fmt.Sprintf("id-%d", i), t0.Add(40*time.Second+time.Duration(i)*time.Millisecond))
	}
	ps := s.Recent("d", t0.Add(41*time.Second))[k]
	if len(ps) != maxSeenPerList || ps[0].Identity != fmt.Sprintf("id-%d", 3*maxSeenPerList-1) {
		t.Fatalf("bounded list: %d entries, first %+v", len(ps), ps[0])
	}
	// Many lists: bounded too.
	for i := range maxSeenLists + 10 {
		s.Saw(Key{Kind: store.DecisionTask, Domain: "many", TaskList: fmt.Sprint(i)}, "", t0)
	}
	if n := len(s.Recent("many", t0)); n > maxSeenLists {
		t.Fatalf("%d lists recorded, bound %d", n, maxSeenLists)
	}
}
