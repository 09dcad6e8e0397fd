// Package matching hands queued tasks to long-polling workers. Tasks live in
// the store (so a crash loses none); the matcher only wakes the pollers of a
// task list when a task is queued there, so that a waiting poller gets it
// within milliseconds, and rechecks the store now and then for tasks that
// another node queued.
package matching

import (
	"context"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/store"
)

// Key names a task list of one kind in one domain.
type Key struct {
	Kind     store.TaskKind
	Domain   string
	TaskList string
}

// Matcher wakes long polls. It is safe for concurrent use.
type Matcher struct {
	clock   clock.Clock
	recheck time.Duration

	mu     sync.Mutex // guards lists and closed
	lists  map[Key]chan struct{}
	closed bool
	done   chan struct{}
}

// New returns a Matcher whose pollers look at the store again every recheck
// even when nothing woke them, for tasks queued by other nodes.
func New(clk clock.Clock, recheck time.Duration) *Matcher {
	return &Matcher{clock: clk, recheck: recheck, lists: map[Key]chan struct{}{}, done: make(chan struct{})}
}

// signal returns the channel that the next Notify of k closes.
func (m *Matcher) signal(k Key) chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch, ok := m.lists[k]
	if !ok {
		ch = make(chan struct{})
		m.lists[k] = ch
	}
	return ch
}

// Notify wakes every poller of k: a task was queued there.
func (m *Matcher) Notify(k Key) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ch, ok := m.lists[k]; ok {
		close(ch)
		delete(m.lists, k)
	}
}

// Close ends every poll at once, empty-handed, as a server shutting down
// does; later polls return at once too.
func (m *Matcher) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		close(m.done)
	}
}

// Poll calls take until it reports a task taken, hold passes, ctx ends or
// the matcher closes. take looks in the store and tries to start a task; it
// is called again whenever the task list may have changed.
func (m *Matcher) Poll(ctx context.Context, k Key, hold time.Duration, take func(context.Context) (bool, error)) (bool, error) {
	deadline := m.clock.NewTimer(hold)
	defer deadline.Stop()
	for {
		// Taken before looking, so that a task queued while we look still
		// wakes us.
		woken := m.signal(k)
		select {
		case <-m.done:
			return false, nil
		default:
		}
		if ok, err := take(ctx); ok || err != nil {
			return ok, err
		}
		recheck := m.clock.NewTimer(m.recheck)
		select {
		case <-woken:
		case <-recheck.C():
		case <-deadline.C():
			recheck.Stop()
			return false, nil
		case <-ctx.Done():
			recheck.Stop()
			return false, nil
		case <-m.done:
			recheck.Stop()
			return false, nil
		}
		recheck.Stop()
	}
}
