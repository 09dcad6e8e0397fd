package service

import (
	"container/list"
	"sync"
)

// DefaultHistoryCacheBytes bounds the events the history cache holds by
// default: the histories of the runs a busy node has open, or a few of
// SWF's longest.
const DefaultHistoryCacheBytes = 64 << 20

// historyCacheLimit is Config.HistoryCacheBytes as the cache's limit.
func historyCacheLimit(n int) int {
	switch {
	case n == 0:
		return DefaultHistoryCacheBytes
	case n < 0:
		return 0
	}
	return n
}

// historyEntryOverhead is what the cache counts for an event beside its
// bytes: its slice header.
const historyEntryOverhead = 24

// historyCache keeps the encoded events of the histories this node wrote
// or read last, as the store holds them. A decider reads its run's history
// with every decision task, and a long history is read page by page, over
// and over: from the store, each read walks the events' B-tree, and each
// event was decoded and encoded again. From here, a page is the stored
// bytes, copied once into the answer.
//
// Events never change once written, so the first n events of a run, once
// known, are known for good: the cache keeps a prefix of each history
// (events 1 to n) and grows it as this node commits a run's next events or
// reads them from the store. Nothing is ever invalidated, because a prefix
// can be behind the store (another node wrote more) but never wrong; a
// read past it goes to the store. A run deleted when its retention passes
// is refused by the run's load that comes before any read of its history,
// and the sweep that deletes it drops its entry.
type historyCache struct {
	limit int // bytes; 0 keeps nothing

	mu   sync.Mutex // guards the fields below
	size int
	runs map[string]*list.Element // of *cachedHistory
	lru  list.List                // front: used last
}

// cachedHistory is the known prefix of one run's history.
type cachedHistory struct {
	runID  string
	events [][]byte // events[i] is event i+1's JSON
	size   int
}

func newHistoryCache(limit int) *historyCache {
	return &historyCache{limit: limit, runs: make(map[string]*list.Element)}
}

// known returns the first events of a run's history that the cache holds:
// element i is event i+1. The caller may keep it: neither the slice nor
// the events change.
func (c *historyCache) known(runID string) [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.runs[runID]
	if el == nil {
		return nil
	}
	c.lru.MoveToFront(el)
	h := el.Value.(*cachedHistory)
	return h.events[:len(h.events):len(h.events)]
}

// add records events first, first+1, ... of a run (their JSON, which the
// cache keeps: the caller must not change it). What continues the cached
// prefix, or starts a history at event 1, is kept; what the cache holds
// already, or what would leave a gap, is not.
func (c *historyCache) add(runID string, first int64, events [][]byte) {
	if len(events) == 0 || first < 1 || c.limit <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var h *cachedHistory
	if el := c.runs[runID]; el != nil {
		h = el.Value.(*cachedHistory)
		c.lru.MoveToFront(el)
	} else {
		if first != 1 {
			return
		}
		h = &cachedHistory{runID: runID}
		c.runs[runID] = c.lru.PushFront(h)
	}
	n := int64(len(h.events))
	if first > n+1 || first+int64(len(events)) <= n+1 {
		return
	}
	added := events[n+1-first:]
	grow := 0
	for _, ev := range added {
		grow += len(ev) + historyEntryOverhead
	}
	if h.size+grow > c.limit {
		// A history larger than the whole cache is not kept: it would
		// push every other out and then itself.
		c.removeLocked(c.runs[runID])
		return
	}
	h.events = append(h.events, added...)
	h.size += grow
	c.size += grow
	for c.size > c.limit { // the least recently used go first
		c.removeLocked(c.lru.Back())
	}
}

// forget drops what the cache holds of runs (deleted ones: their memory
// is better given to others at once).
func (c *historyCache) forget(runIDs []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range runIDs {
		if el := c.runs[id]; el != nil {
			c.removeLocked(el)
		}
	}
}

func (c *historyCache) removeLocked(el *list.Element) {
	h := el.Value.(*cachedHistory)
	c.lru.Remove(el)
	delete(c.runs, h.runID)
	c.size -= h.size
}
