package matching

import (
	"sort"
	"sync"
	"time"
)

// SeenWindow is how long a poller counts as seen after its last poll. A
// worker that polls without pause polls again within a long-poll hold
// (under a minute), so one minute tells live workers from gone ones.
const SeenWindow = time.Minute

// Bounds of the record: it is fed by every poll, by callers the service
// does not control (identities are free text), so it must not grow with
// them. Past the bounds, stale entries are dropped first, then the longest
// unseen identity of the list; a new task list beyond maxSeenLists is not
// recorded until others go stale.
const (
	maxSeenLists    = 4096
	maxSeenPerList  = 64
	maxIdentityLen  = 256
	unnamedIdentity = "(no identity)"
)

// Seen records which pollers (by the identity they give) polled which task
// list lately, for the console: SWF's operations do not tell. Its zero value
// is ready to use; it is safe for concurrent use.
type Seen struct {
	mu    sync.Mutex
	lists map[Key]map[string]time.Time
}

// Poller is one identity seen polling a task list, and when it last did.
type Poller struct {
	Identity string
	LastSeen time.Time
}

// Saw records that identity polled the task list key at at.
func (s *Seen) Saw(key Key, identity string, at time.Time) {
	if identity == "" {
		identity = unnamedIdentity
	}
	if len(identity) > maxIdentityLen {
		identity = identity[:maxIdentityLen]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lists == nil {
		s.lists = make(map[Key]map[string]time.Time)
	}
	ids, ok := s.lists[key]
	if !ok {
		if len(s.lists) >= maxSeenLists {
			s.pruneLocked(at)
			if len(s.lists) >= maxSeenLists {
				return
			}
		}
		ids = make(map[string]time.Time)
		s.lists[key] = ids
	}
	if _, known := ids[identity]; !known && len(ids) >= maxSeenPerList {
		evictLocked(ids, at)
	}
	if at.After(ids[identity]) {
		ids[identity] = at
	}
}

// evictLocked makes room in a full list: the stale identities go, or if
// none is stale, the one unseen longest.
func evictLocked(ids map[string]time.Time, now time.Time) {
	oldest, oldestAt := "", time.Time{}
	for id, t := range ids {
		if now.Sub(t) > SeenWindow {
			delete(ids, id)
			continue
		}
		if oldest == "" || t.Before(oldestAt) {
			oldest, oldestAt = id, t
		}
	}
	if len(ids) >= maxSeenPerList {
		delete(ids, oldest)
	}
}

// pruneLocked drops the identities not seen within the window of now, and
// the lists left empty.
func (s *Seen) pruneLocked(now time.Time) {
	for key, ids := range s.lists {
		for id, t := range ids {
			if now.Sub(t) > SeenWindow {
				delete(ids, id)
			}
		}
		if len(ids) == 0 {
			delete(s.lists, key)
		}
	}
}

// Recent returns the task lists of domain polled within the window of now,
// each with its pollers, most recently seen first. It drops what is stale
// on the way.
func (s *Seen) Recent(domain string, now time.Time) map[Key][]Poller {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[Key][]Poller)
	for key, ids := range s.lists {
		if key.Domain != domain {
			continue
		}
		for id, t := range ids {
			if now.Sub(t) > SeenWindow {
				delete(ids, id)
				continue
			}
			out[key] = append(out[key], Poller{Identity: id, LastSeen: t})
		}
		if len(ids) == 0 {
			delete(s.lists, key)
		}
	}
	for _, ps := range out {
		sort.Slice(ps, func(i, j int) bool {
			if !ps[i].LastSeen.Equal(ps[j].LastSeen) {
				return ps[i].LastSeen.After(ps[j].LastSeen)
			}
			return ps[i].Identity < ps[j].Identity
		})
	}
	return out
}
