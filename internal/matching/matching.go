// Package matching hands queued tasks to long-polling workers. Tasks live in
// the store (so a crash loses none); the matcher only wakes waiting pollers
// when a task is queued — one poller per task, the one that has waited
// longest, so that pollers do not all race for the same task. Pollers learn
// of tasks another node queued through Notify, when the store passes on that
// node's word (store.TaskListener, on PostgreSQL), and else by rechecking the
// store now and then.
//
// A wake-up may carry the task that was queued (Offer): the woken poller
// then tries that task first, without reading the queue. It still takes the
// task in the store transaction that starts it, so a hand-off never gives
// one task to two pollers, and a task handed to nobody stays queued.
package matching

import (
	"context"
	"errors"
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

// waiter is one poller of a task list; its channel holds one wake-up,
// with the task handed over, or nil to look in the store.
type waiter struct {
	wake chan *store.Task
}

// PollerLimit bounds the polls that wait on one task list at once, as SWF
// allows 1,000 pollers per task list.
type PollerLimit struct {
	// Max is the most polls of one task list (Key) that wait at once;
	// 0 means no bound.
	Max int
	// Refuse returns the error with which a poll beyond Max is answered at
	// once. It is the caller's, so that it can be worded as the API words
	// it; nil gives ErrTooManyPollers.
	Refuse func(k Key, max int) error
}

// ErrTooManyPollers is what a poll beyond PollerLimit.Max returns when the
// limit has no Refuse of its own.
var ErrTooManyPollers = errors.New("matching: too many pollers of the task list")

// Observer hears how many polls wait, for metrics. It is called with the
// matcher's lock held, so it must be quick and must not call back.
type Observer interface {
	// Waiting reports that the polls waiting on task lists of kind changed
	// by delta (+1 when one starts waiting, -1 when it ends).
	Waiting(kind store.TaskKind, delta int)
}

type noObserver struct{}

func (noObserver) Waiting(store.TaskKind, int) {}

// Matcher wakes long polls. It is safe for concurrent use.
type Matcher struct {
	clock   clock.Clock
	recheck time.Duration
	limit   PollerLimit
	obs     Observer

	mu      sync.Mutex // guards waiters, queues, gen and closed
	waiters map[Key][]*waiter
	queues  map[Key]*queueState
	// gen counts the events that may leave a task unheld, of every task
	// list (see queueState).
	gen    uint64
	closed bool
	done   chan struct{}
}

// New returns a Matcher whose pollers look at the store again every recheck
// even when nothing woke them, for tasks queued by other nodes, and of
// which at most limit.Max wait on one task list at once.
func New(clk clock.Clock, recheck time.Duration, limit PollerLimit) *Matcher {
	return &Matcher{clock: clk, recheck: recheck, limit: limit, obs: noObserver{}, waiters: map[Key][]*waiter{}, queues: map[Key]*queueState{}, done: make(chan struct{})}
}

// Observe makes o hear of the polls that wait from now on; call it before
// the first Poll.
func (m *Matcher) Observe(o Observer) {
	if o != nil {
		m.obs = o
	}
}

// join registers a poller of k, unless k has as many as the limit allows.
// The count is of this node's pollers: each node of a cluster keeps its own.
func (m *Matcher) join(k Key) (*waiter, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.limit.Max > 0 && len(m.waiters[k]) >= m.limit.Max {
		if m.limit.Refuse != nil {
			return nil, m.limit.Refuse(k, m.limit.Max)
		}
		return nil, ErrTooManyPollers
	}
	w := &waiter{wake: make(chan *store.Task, 1)}
	m.waiters[k] = append(m.waiters[k], w)
	m.obs.Waiting(k.Kind, 1)
	return w, nil
}

// leave unregisters w, handing unused (a task handed to w that it did not
// start), if not nil, and any wake-up pending for w to another poller.
func (m *Matcher) leave(k Key, w *waiter, unused *store.Task) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ws := m.waiters[k]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i], ws[i+1:]...)
			m.obs.Waiting(k.Kind, -1)
			break
		}
	}
	if len(ws) == 0 {
		delete(m.waiters, k)
	} else {
		m.waiters[k] = ws
	}
	if unused != nil {
		m.notifyLocked(k, unused)
	}
	// A wake-up this poller did not use (it took another task, or gave
	// up) is passed on, with its task, or a queued task could wait for the
	// next recheck.
	select {
	case t := <-w.wake:
		m.notifyLocked(k, t)
	default:
	}
}

// Notify tells the pollers of k that a task may be queued there: it wakes
// the longest-waiting poller that has no wake-up pending, to look in the
// store.
func (m *Matcher) Notify(k Key) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notifyLocked(k, nil)
}

// NotifyAll tells every waiting poller, of every task list, to look in the
// store: word of tasks may have been missed (another node's, while this
// node was not listening).
func (m *Matcher) NotifyAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.forgetQueuesLocked()
	for _, ws := range m.waiters {
		for _, w := range ws {
			select {
			case w.wake <- nil:
			default:
			}
		}
	}
}

// Offer tells the pollers of k that t was queued there (committed): it
// wakes the longest-waiting poller that has no wake-up pending and hands it
// t, so that it need not read the queue to find it. If every poller has a
// wake-up pending, they will read the queue anyway. It reports whether a
// poller of this node was there to take it: if none was, pollers of other
// nodes are worth telling.
func (m *Matcher) Offer(k Key, t store.Task) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.notifyLocked(k, &t)
}

func (m *Matcher) notifyLocked(k Key, t *store.Task) bool {
	for _, w := range m.waiters[k] {
		select {
		case w.wake <- t:
			if t == nil {
				m.dirtyLocked(k)
			}
			return true
		default: // already woken; it will look anyway
		}
	}
	// Nobody holds the task (or the word that one may be queued): the
	// queue is worth reading.
	m.dirtyLocked(k)
	return len(m.waiters[k]) > 0
}

// queueState is what the node knows of a task list's queue in the store,
// to spare an arriving poll the read of a queue known to hold nothing for
// it (the read is most of a poll's cost when pollers wait for work).
//
// The queue is clean when a poller read it whole and found no task it
// could try, and nothing since has made a task there that no poller of
// this node was handed: every task this node queues is offered, and one
// handed to a poller is either started, or handed on, or followed by a
// Notify when the start fails; another node's tasks arrive as a Notify.
// Each of those that leaves a task unheld makes the queue dirty and
// takes a new number from the matcher's count, so that a read that began
// before one cannot mark the queue clean after it; a task list forgotten
// and remembered again starts at the count, past any number a read of it
// holds. Cleanliness lasts one recheck interval at most, the bound a
// waiting poller already has on missing a task.
type queueState struct {
	gen uint64
	// cleanAt is when a read found the queue empty; zero while dirty.
	cleanAt time.Time
}

// maxQueueStates bounds the task lists remembered; forgetting them all
// only costs reads.
const maxQueueStates = 4096

func (m *Matcher) queueLocked(k Key) *queueState {
	q := m.queues[k]
	if q == nil {
		if len(m.queues) >= maxQueueStates {
			m.forgetQueuesLocked()
		}
		q = &queueState{gen: m.gen}
		m.queues[k] = q
	}
	return q
}

// forgetQueuesLocked makes every task list dirty.
func (m *Matcher) forgetQueuesLocked() {
	m.gen++
	m.queues = map[Key]*queueState{}
}

func (m *Matcher) dirtyLocked(k Key) {
	if q := m.queues[k]; q != nil {
		m.gen++
		q.gen, q.cleanAt = m.gen, time.Time{}
	}
}

// QueueGen returns a token to pass to Empty after reading k's queue:
// call it before the read.
func (m *Matcher) QueueGen(k Key) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.queueLocked(k).gen
}

// Empty records that a read of k's queue, begun when QueueGen returned
// gen, found every queued task (not a first page of more) and none a
// poller of this node could try. Arriving polls then wait without
// reading the queue until a task may have been left there.
func (m *Matcher) Empty(k Key, gen uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if q := m.queues[k]; q != nil && q.gen == gen {
		q.cleanAt = m.clock.Now()
	}
}

// knownEmpty reports whether k's queue is clean (see queueState).
func (m *Matcher) knownEmpty(k Key) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.queues[k]
	return q != nil && !q.cleanAt.IsZero() && m.clock.Now().Sub(q.cleanAt) < m.recheck
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
// the matcher closes. A poll beyond the PollerLimit of k returns its error
// at once, without calling take. take tries to start handed, the task an Offer handed
// this poller, when not nil, and else (or when that fails) looks in the
// store; it is called again whenever a task may have been queued.
func (m *Matcher) Poll(ctx context.Context, k Key, hold time.Duration, take func(ctx context.Context, handed *store.Task) (bool, error)) (bool, error) {
	// The poller is registered before it first looks, so that a task
	// queued while it looks still wakes it.
	w, err := m.join(k)
	if err != nil {
		return false, err
	}
	var handed, unused *store.Task
	defer func() { m.leave(k, w, unused) }()
	deadline := m.clock.NewTimer(hold)
	defer deadline.Stop()
	// A poll arriving at a queue known to hold nothing for it waits at
	// once (see queueState).
	skip := m.knownEmpty(k)
	for {
		select {
		case <-m.done:
			return false, nil
		default:
		}
		if skip {
			skip = false
		} else if ok, err := take(ctx, handed); ok || err != nil {
			return ok, err
		}
		if handed != nil && ctx.Err() != nil {
			// The poller went away before it could start the task it was
			// handed: leave hands it on to another poller.
			unused = handed
			return false, nil
		}
		handed = nil
		recheck := m.clock.NewTimer(m.recheck)
		select {
		case handed = <-w.wake:
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
