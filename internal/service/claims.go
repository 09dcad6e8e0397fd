package service

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// Claiming a queued task: how a poll of either kind finds a task, starts it
// in the transaction that takes it off the queue, and keeps this node's
// pollers from racing each other for one task (claiming, recentStarts). The
// operations that poll are in activities.go and decisions.go.

const (
	// pollBatch is how many queued tasks a poller looks at in one read.
	pollBatch = 16
	// maxRereads bounds how often one wake-up of a poller reads the queue.
	maxRereads = 64
)

// claim waits for a task of a task list and starts it with start, which
// commits the task's start and the task's removal from the queue together.
// A poller whose client has gone away starts nothing.
func (s *Service) claim(ctx context.Context, key matching.Key, start func(context.Context, store.Task) (bool, error)) error {
	_, err := s.matcher.Poll(ctx, key, s.longPoll, func(ctx context.Context, handed *store.Task) (bool, error) {
		// A task handed over as it was queued is tried first: most of the
		// time it is still there, and the queue need not be read.
		if handed != nil {
			ok, _, err := s.tryClaim(ctx, key, *handed, start)
			if ok || err != nil || ctx.Err() != nil {
				return ok, err
			}
		}
		// Other pollers race for the same tasks: when every task read was
		// taken by someone else, read again rather than wait, as more may
		// queue behind them. The bound keeps a row that cannot be dropped
		// from spinning a poller.
		for range maxRereads {
			gen := s.matcher.QueueGen(key)
			tasks, err := s.store.NextTasks(ctx, key.Kind, key.Domain, key.TaskList, pollBatch)
			if err != nil {
				return false, err
			}
			if len(tasks) == 0 {
				s.matcher.Empty(key, gen)
				return false, nil
			}
			tried := false
			for _, t := range tasks {
				if ctx.Err() != nil {
					return false, nil
				}
				ok, busy, err := s.tryClaim(ctx, key, t, start)
				if ok || err != nil {
					return ok, err
				}
				tried = tried || !busy
			}
			if !tried {
				// Every task read is being started by another poller of
				// this node. Reading again would find the same ones; wait
				// instead: a poller that fails to start its task wakes
				// one of us (see tryClaim). If the read held the whole
				// queue, nothing is there for an arriving poll either.
				if len(tasks) < pollBatch {
					s.matcher.Empty(key, gen)
				}
				return false, nil
			}
		}
		return false, nil
	})
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// tryClaim tries to start t, unless another poller of this node is starting
// it (busy). Pollers of this node read the same queue: one tries a task
// while the others pass it by, rather than all loading its run to lose the
// race. (Nodes race in the store.)
func (s *Service) tryClaim(ctx context.Context, key matching.Key, t store.Task, start func(context.Context, store.Task) (bool, error)) (ok, busy bool, err error) {
	claim := claimKey{t.Kind, t.RunID, t.ScheduledEventID}
	if s.started.has(claim) {
		// Started here a moment ago; the row was read before that.
		return false, true, nil
	}
	if _, busy := s.claiming.LoadOrStore(claim, struct{}{}); busy {
		return false, true, nil
	}
	ok, err = start(ctx, t)
	if ok {
		s.started.add(claim)
	}
	s.claiming.Delete(claim)
	if !ok {
		// The task may still be queued (the run changed under the start,
		// or the client went away), and pollers that passed it by while
		// it was busy wait: wake one to look.
		s.matcher.Notify(key)
	}
	return ok, false, err
}

// claimKey names a queued task that a poller of this node is starting.
type claimKey struct {
	kind      store.TaskKind
	runID     string
	scheduled int64
}

// recentStarts remembers the tasks this node's pollers started last. A
// poller that read the queue just before one of them was taken, or was
// handed one that a poller reading the queue took first, passes it by
// rather than load its run to find it started. A task, once started, is
// never queued again (a new attempt is scheduled by a new event), so
// remembering it too long is harmless; the two generations keep the
// memory bounded and the latest starts in it.
type recentStarts struct {
	mu        sync.Mutex // guards cur and prev
	cur, prev map[claimKey]struct{}
}

// recentStartsSize is the size of a generation: far more than the tasks
// started while one poller reads the queue.
const recentStartsSize = 2048

func (r *recentStarts) add(k claimKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil || len(r.cur) >= recentStartsSize {
		r.prev, r.cur = r.cur, make(map[claimKey]struct{}, recentStartsSize)
	}
	r.cur[k] = struct{}{}
}

func (r *recentStarts) has(k claimKey) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, inCur := r.cur[k]
	_, inPrev := r.prev[k]
	return inCur || inPrev
}

// startTask applies cmd to the run of a queued task and commits it with the
// task's removal. It reports false when the task was taken by another poller
// meanwhile, or turned out stale (then it is dropped).
func (s *Service) startTask(ctx context.Context, t store.Task, cmd func(*engine.Execution, time.Time) (engine.Effects, error)) (*run, bool, error) {
	// The run's cached state, if any, is tried first (see runCache); when
	// the start fails on it, the state may be old, and the start is judged
	// again on a fresh load.
	if r := s.runs.take(t.RunID); r != nil {
		eff, err := cmd(r.exec, s.clock.Now())
		if err == nil {
			err = s.commit(ctx, r, eff, []store.Task{t})
		}
		if err == nil || !staleSensitive(err) {
			return r, err == nil, err
		}
	}
	r, err := s.loadRunByID(ctx, t.RunID)
	if err != nil {
		var fault *swfapi.Fault
		if errors.As(err, &fault) {
			return nil, false, s.dropTask(ctx, t)
		}
		return nil, false, err
	}
	eff, err := cmd(r.exec, s.clock.Now())
	if err != nil {
		var fault *swfapi.Fault
		if !errors.As(err, &fault) {
			return nil, false, err
		}
		if startedElsewhere(r.exec, t) {
			// Another poller won the race for it: nothing to clean up.
			return nil, false, nil
		}
		// The run no longer has this task open: a queued row outlived it.
		// Nobody can start it; drop it.
		return nil, false, s.dropTask(ctx, t)
	}
	err = s.commit(ctx, r, eff, []store.Task{t})
	if errors.Is(err, store.ErrConflict) {
		return nil, false, nil
	}
	return r, err == nil, err
}

// startedElsewhere reports whether the run shows the task as started, by
// another poller since this one read the queue.
func startedElsewhere(e *engine.Execution, t store.Task) bool {
	if t.Kind == store.DecisionTask {
		return e.Decision != nil && e.Decision.ScheduledEventID == t.ScheduledEventID && e.Decision.StartedEventID != 0
	}
	a, ok := e.Activities[t.ScheduledEventID]
	return ok && a.StartedEventID != 0
}

// dropTask removes a queued task that no run will start, so that pollers
// stop finding it.
func (s *Service) dropTask(ctx context.Context, t store.Task) error {
	r, err := s.loadRunByID(ctx, t.RunID)
	if err != nil {
		return nil // no run, nothing to keep consistent with; a later change removes the row
	}
	err = s.commit(ctx, r, engine.Effects{}, []store.Task{t})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}
