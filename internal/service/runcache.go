package service

import "sync"

// runCacheSize bounds the runs the cache keeps: enough for the runs a busy
// node is working on at once, small next to the memory of a run's requests.
const runCacheSize = 4096

// runCache keeps the decoded state of runs this node committed last, so
// that the next command on a run (most often the start or the answer of
// the task the last one queued) need not read and decode it again.
//
// A cached run may be behind the store (another node, or a command that
// raced it, committed since), so it is only ever used where the store
// checks it: a command computed from it commits with the cached version as
// its expected version, and the store refuses it if the run moved on. A
// command that fails on a cached run, with a conflict or a fault, is
// judged again on a fresh load (see updateRun and startTask), so a stale
// cache never changes an answer.
//
// The cache does not hold what heartbeats write (they update the activity
// row, not the run's version): the heartbeat time and details in a cached
// state may be old. Only commands that do not read them use the cache:
// starting a task, completing a decision task, and closing an activity
// task (whose own row is removed with it). Timeouts and the other commands
// load the run fresh.
type runCache struct {
	mu   sync.Mutex // guards runs
	runs map[string]*run
}

func newRunCache() *runCache {
	return &runCache{runs: make(map[string]*run)}
}

// take removes the run cached for runID and returns it, or nil. The caller
// owns it: two commands never apply to one cached state.
func (c *runCache) take(runID string) *run {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.runs[runID]
	if r != nil {
		delete(c.runs, runID)
	}
	return r
}

// put caches a copy of r, just committed, unless the cache holds a later
// version of it. A closed run is dropped: few commands come after the end.
func (c *runCache) put(r *run) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := r.rec.RunID
	if old := c.runs[id]; old != nil && old.rec.Version >= r.rec.Version {
		return
	}
	if !r.exec.Open {
		delete(c.runs, id)
		return
	}
	if len(c.runs) >= runCacheSize {
		for k := range c.runs { // any one: a random victim is as good as any
			delete(c.runs, k)
			break
		}
	}
	// The caller goes on reading its run (to answer the poll), and the
	// next command changes the cached one: each needs its own state. The
	// encoded state is not kept: every commit encodes afresh.
	rec := r.rec
	rec.State = nil
	c.runs[id] = &run{rec: rec, exec: r.exec.Clone()}
}
