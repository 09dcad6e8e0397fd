package service

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/gate"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/tasktoken"
)

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

// PollForDecisionTask hands a decision task of a task list to a decider,
// waiting for one up to the long-poll hold; with a nextPageToken it returns
// the next page of the history of the task it already handed out.
func (s *Service) PollForDecisionTask(ctx context.Context, in *swfapi.PollForDecisionTaskInput) (*swfapi.DecisionTask, error) {
	if err := checkTaskList("taskList", in.TaskList); err != nil {
		return nil, err
	}
	if err := s.domainExists(ctx, *in.Domain); err != nil {
		return nil, err
	}
	page := pollPage{size: pageSize(in.MaximumPageSize), reverse: deref(in.ReverseOrder), query: queryKey("PollForDecisionTask", *in.Domain, *in.TaskList.Name, strconv.FormatBool(deref(in.ReverseOrder)))}
	if in.NextPageToken != nil && *in.NextPageToken != "" {
		return s.decisionTaskPage(ctx, page, in.NextPageToken)
	}
	var out *swfapi.DecisionTask
	key := matching.Key{Kind: store.DecisionTask, Domain: *in.Domain, TaskList: *in.TaskList.Name}
	s.pollers.Saw(key, deref(in.Identity), s.clock.Now())
	err := s.claim(ctx, key, func(ctx context.Context, t store.Task) (bool, error) {
		r, ok, err := s.startTask(ctx, t, func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			return e.StartDecisionTask(t.ScheduledEventID, deref(in.Identity), now)
		})
		if !ok || err != nil {
			return ok, err
		}
		d := r.exec.Decision
		tok := tasktoken.Token{Kind: tasktoken.Decision, Domain: r.exec.Domain, RunID: r.exec.RunID, ScheduledEventID: d.ScheduledEventID, StartedEventID: d.StartedEventID}
		from := int64(0)
		if deref(in.StartAtPreviousStartedEvent) && r.exec.PreviousStartedEventID > 0 && !page.reverse {
			from = r.exec.PreviousStartedEventID - 1
		}
		out, err = s.decisionTask(ctx, r.exec, tok, page, from)
		return true, err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		// Nothing came: an empty task, without a taskToken member, which is
		// how clients tell; the event ids are there, as zeros, for typed
		// clients that read them unconditionally. SWF sends no "events"
		// (nil is not sent), though the model calls the member required.
		return &swfapi.DecisionTask{StartedEventId: swfapi.Ptr(int64(0)), PreviousStartedEventId: swfapi.Ptr(int64(0))}, nil
	}
	return out, nil
}

// pollPage is how a decider asked for the history of its task.
type pollPage struct {
	size    int
	reverse bool
	query   string
}

// decisionTask builds the answer to a decider: the task, and one page of
// the run's history up to the task's start.
func (s *Service) decisionTask(ctx context.Context, e *engine.Execution, tok tasktoken.Token, page pollPage, from int64) (*swfapi.DecisionTask, error) {
	hist, err := s.historyPage(ctx, e.RunID, from, tok.StartedEventID, page.size, page.reverse)
	if err != nil {
		return nil, err
	}
	out := &swfapi.DecisionTask{
		TaskToken:      swfapi.Ptr(s.tokens.Encode(tok)),
		StartedEventId: swfapi.Ptr(tok.StartedEventID),
		WorkflowExecution: &swfapi.WorkflowExecution{
			WorkflowId: swfapi.Ptr(e.WorkflowID),
			RunId:      swfapi.Ptr(e.RunID),
		},
		WorkflowType:  &swfapi.WorkflowType{Name: swfapi.Ptr(e.WorkflowType.Name), Version: swfapi.Ptr(e.WorkflowType.Version)},
		Events:        hist.events,
		EventsEncoded: hist.encoded,
		// Always present, 0 on a run's first decision task, as SWF's own
		// example answers show: typed clients (Java's Long, the Flow
		// frameworks) read it unconditionally.
		PreviousStartedEventId: swfapi.Ptr(e.PreviousStartedEventID),
	}
	if hist.more {
		out.NextPageToken = s.pages.make(page.query, *out.TaskToken, strconv.FormatInt(hist.last, 10), strconv.FormatInt(e.PreviousStartedEventID, 10))
	}
	return out, nil
}

// decisionTaskPage answers a PollForDecisionTask that carries a page token:
// the next page of the same task, claiming nothing new.
func (s *Service) decisionTaskPage(ctx context.Context, page pollPage, token *string) (*swfapi.DecisionTask, error) {
	after, err := s.pages.read(page.query, token)
	if err != nil {
		return nil, err
	}
	if len(after) != 3 {
		return nil, invalidToken()
	}
	tok, err := s.tokens.Decode(after[0])
	from, err1 := strconv.ParseInt(after[1], 10, 64)
	prev, err2 := strconv.ParseInt(after[2], 10, 64)
	if err != nil || err1 != nil || err2 != nil {
		return nil, invalidToken()
	}
	r, err := s.loadRunByID(ctx, tok.RunID)
	if err != nil {
		return nil, err
	}
	// The page belongs to the task as it was handed out, whatever the run
	// did since.
	e := *r.exec
	e.PreviousStartedEventID = prev
	return s.decisionTask(ctx, &e, tok, page, from)
}

// RespondDecisionTaskCompleted applies a decider's decisions.
func (s *Service) RespondDecisionTaskCompleted(ctx context.Context, in *swfapi.RespondDecisionTaskCompletedInput) error {
	tok, err := s.taskToken(*in.TaskToken, tasktoken.Decision)
	if err != nil {
		return err
	}
	_, _, err = s.updateRun(ctx, tok.RunID,
		func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			look, err := s.lookups(ctx, e, in)
			if err != nil {
				return engine.Effects{}, err
			}
			return e.CompleteDecisionTask(tok.ScheduledEventID, tok.StartedEventID, in, look, now)
		})
	return err
}

// lookups loads what a decision batch needs from outside its run: the
// types its decisions name (a type that does not exist is left out, and
// the decision naming it fails), and a run id for a run it continues as.
func (s *Service) lookups(ctx context.Context, e *engine.Execution, in *swfapi.RespondDecisionTaskCompletedInput) (engine.Lookups, error) {
	acts, flows, continues := e.TypesNamed(in)
	var look engine.Lookups
	var err error
	look.ActivityTypes, err = loadTypes(ctx, s, e.Domain, store.ActivityType, acts, func(t store.Type) (engine.ActivityTypeInfo, error) {
		info := engine.ActivityTypeInfo{Deprecated: t.Status == store.StatusDeprecated}
		err := jsonDecode(t.Config, &info.Config)
		return info, err
	})
	if err != nil {
		return look, err
	}
	look.WorkflowTypes, err = loadTypes(ctx, s, e.Domain, store.WorkflowType, flows, func(t store.Type) (engine.WorkflowTypeInfo, error) {
		info := engine.WorkflowTypeInfo{Deprecated: t.Status == store.StatusDeprecated}
		err := jsonDecode(t.Config, &info.Config)
		return info, err
	})
	if err != nil {
		return look, err
	}
	if continues {
		look.NewRunID = newRunID()
	}
	// Decisions the interceptors refused (by policy, by rate) fail in the
	// history rather than failing the call.
	look.Refused = gate.All(ctx)
	return look, nil
}

// loadTypes loads the types of one kind a decision batch names, each
// decoded by decode; a type that does not exist is left out, and the
// decision naming it fails.
func loadTypes[I any](ctx context.Context, s *Service, domain string, kind store.TypeKind, refs []engine.TypeRef, decode func(store.Type) (I, error)) (map[engine.TypeRef]I, error) {
	if len(refs) == 0 {
		return nil, nil // most batches name no type: no map to make
	}
	out := make(map[engine.TypeRef]I, len(refs))
	for _, ref := range refs {
		t, err := s.store.GetType(ctx, store.TypeKey{Domain: domain, Kind: kind, Name: ref.Name, Version: ref.Version})
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if out[ref], err = decode(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func jsonDecode(data []byte, v any) error {
	if len(data) == 0 {
		return nil
	}
	// The model's shapes (events, type configurations) decode without
	// reflection; anything else goes to encoding/json.
	return swfapi.DecodeJSON(data, v)
}
