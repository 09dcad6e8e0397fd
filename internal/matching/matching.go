// Package matching hands queued tasks to long-polling workers. Tasks live in
// the store (so a crash loses none); the matcher only wakes waiting pollers
// when a task is queued — one poller per task, the one that has waited
// longest, so that pollers do not all race for the same task — and pollers
// recheck the store now and then for tasks that another node queued.
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

// waiter is one poller of a task list; its channel holds one wake-up.
type waiter struct {
	wake chan struct{}
}

// Matcher wakes long polls. It is safe for concurrent use.
type Matcher struct {
	clock   clock.Clock
	recheck time.Duration

	mu      sync.Mutex // guards waiters and closed
	waiters map[Key][]*waiter
	closed  bool
	done    chan struct{}
}

// New returns a Matcher whose pollers look at the store again every recheck
// even when nothing woke them, for tasks queued by other nodes.
func New(clk clock.Clock, recheck time.Duration) *Matcher {
	return &Matcher{clock: clk, recheck: recheck, waiters: map[Key][]*waiter{}, done: make(chan struct{})}
}

func (m *Matcher) join(k Key) *waiter {
	w := &waiter{wake: make(chan struct{}, 1)}
	m.mu.Lock()
	m.waiters[k] = append(m.waiters[k], w)
	m.mu.Unlock()
	return w
}

func (m *Matcher) leave(k Key, w *waiter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ws := m.waiters[k]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(m.waiters, k)
	} else {
		m.waiters[k] = ws
	}
	// A wake-up this poller did not use (it took another task, or gave
	// up) is passed on, or a queued task could wait for the next recheck.
	select {
	case <-w.wake:
		m.notifyLocked(k)
	default:
	}
}

// Notify tells the pollers of k that a task was queued there: it wakes the
// longest-waiting poller that has no wake-up pending.
func (m *Matcher) Notify(k Key) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notifyLocked(k)
}

func (m *Matcher) notifyLocked(k Key) {
	for _, w := range m.waiters[k] {
		select {
		case w.wake <- struct{}{}:
			return
		default: // already woken; it will look anyway
		}
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
// is called again whenever a task may have been queued.
func (m *Matcher) Poll(ctx context.Context, k Key, hold time.Duration, take func(context.Context) (bool, error)) (bool, error) {
	// The poller is registered before it first looks, so that a task
	// queued while it looks still wakes it.
	w := m.join(k)
	defer m.leave(k, w)
	deadline := m.clock.NewTimer(hold)
	defer deadline.Stop()
	for {
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
		case <-w.wake:
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
