package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// maxConflicts bounds how often one command is recomputed when the run
// changed under it.
const maxConflicts = 8

// run is a loaded execution: its row and its engine state.
type run struct {
	rec  store.Execution
	exec *engine.Execution
}

// decodeRun rebuilds the engine state of a row, with the heartbeats the
// activity rows hold (heartbeats are written there, never to the state).
func decodeRun(rec store.Execution, acts []store.Activity) (*run, error) {
	exec := new(engine.Execution)
	if err := json.Unmarshal(rec.State, exec); err != nil {
		return nil, fmt.Errorf("decoding run %s: %w", rec.RunID, err)
	}
	for _, a := range acts {
		if act, ok := exec.Activities[a.ScheduledEventID]; ok {
			act.LastHeartbeatAt = a.HeartbeatAt
			act.HeartbeatDetails = a.HeartbeatDetails
			exec.Activities[a.ScheduledEventID] = act
		}
	}
	return &run{rec: rec, exec: exec}, nil
}

// loadRun loads a run of a domain; with runID empty, the workflow's open
// run, as SWF targets the latest run when runId is omitted.
func (s *Service) loadRun(ctx context.Context, domain, workflowID, runID string) (*run, error) {
	rec, acts, err := s.store.GetExecution(ctx, domain, workflowID, runID)
	switch {
	case errors.Is(err, store.ErrNotFound) && runID == "":
		return nil, unknownWorkflow(workflowID)
	case errors.Is(err, store.ErrNotFound):
		return nil, engine.UnknownExecution(workflowID, runID)
	case err != nil:
		return nil, err
	}
	return decodeRun(rec, acts)
}

// loadOpenRun is loadRun for commands that only an open run takes.
func (s *Service) loadOpenRun(ctx context.Context, domain, workflowID, runID string) (*run, error) {
	r, err := s.loadRun(ctx, domain, workflowID, runID)
	if err != nil {
		return nil, err
	}
	if !r.rec.Open {
		if runID == "" {
			return nil, unknownWorkflow(workflowID)
		}
		return nil, engine.UnknownExecution(workflowID, runID)
	}
	return r, nil
}

// loadRunByID loads the run a task token names.
func (s *Service) loadRunByID(ctx context.Context, runID string) (*run, error) {
	rec, acts, err := s.store.GetRun(ctx, runID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, swfapi.NewFault(swfapi.CodeUnknownResource, "Unknown execution: WorkflowExecution=[runId=%s]", runID)
	}
	if err != nil {
		return nil, err
	}
	return decodeRun(rec, acts)
}

// update applies one engine command to a run and commits it, recomputing the
// command on a fresh load when the run changed in between.
func (s *Service) update(ctx context.Context, load func(context.Context) (*run, error), cmd func(*engine.Execution, time.Time) (engine.Effects, error)) (*run, engine.Effects, error) {
	var unlock func()
	defer func() {
		if unlock != nil {
			unlock()
		}
	}()
	for range maxConflicts {
		// The time is read before the run is loaded, so that the state is at
		// least as fresh as the instant the command is judged at: a
		// heartbeat recorded before that instant is seen by a timeout.
		now := s.clock.Now()
		r, err := load(ctx)
		if err != nil {
			return nil, engine.Effects{}, err
		}
		if unlock == nil {
			// The first load names the run; wait for this node's other
			// commands on it. What they committed meanwhile makes this
			// load stale, which the commit's version check finds: the
			// retry then loads again, under the lock. Uncontended, the
			// run is loaded once.
			unlock = s.runLocks.lock(r.exec.RunID)
		}
		eff, err := cmd(r.exec, now)
		if err != nil {
			return nil, engine.Effects{}, err
		}
		err = s.commit(ctx, r, eff, nil)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		return r, eff, err
	}
	return nil, engine.Effects{}, fmt.Errorf("run kept changing: %w", store.ErrConflict)
}

// updateRun is update for a command on the run a task token names that
// does not read heartbeats (see runCache): it is first computed from the
// run's cached state, if the cache has it, and judged again on a fresh load
// when that fails with a fault or a conflict, since the cached state may be
// behind the store.
func (s *Service) updateRun(ctx context.Context, runID string, cmd func(*engine.Execution, time.Time) (engine.Effects, error)) (*run, engine.Effects, error) {
	if r := s.runs.take(runID); r != nil {
		eff, err := cmd(r.exec, s.clock.Now())
		if err == nil {
			err = s.commit(ctx, r, eff, nil)
		}
		if err == nil || !staleSensitive(err) {
			return r, eff, err
		}
	}
	return s.update(ctx, func(ctx context.Context) (*run, error) { return s.loadRunByID(ctx, runID) }, cmd)
}

// staleSensitive reports whether err, from a command computed on a cached
// state, may be due to the state being old: a conflict, or a fault (the
// task or run is not as the command expects).
func staleSensitive(err error) bool {
	var fault *swfapi.Fault
	// ErrNotFound: the run was deleted (its retention passed) after
	// another node closed it; the fresh load answers the fault.
	return errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) || errors.As(err, &fault)
}

// commit writes a command's effects on r in one transaction. take are tasks
// the change consumes; when there are any, a task that is already gone fails
// the change with store.ErrConflict. After the commit, pollers of the new
// tasks are woken and the timer loop told of new timers.
func (s *Service) commit(ctx context.Context, r *run, eff engine.Effects, take []store.Task) error {
	ch := s.change(r, eff)
	ch.TakeTasks = append(ch.TakeTasks, take...)
	ch.Strict = len(take) > 0
	if nr := eff.NewRun; nr != nil {
		// A run this command started (continue-as-new's successor, or a
		// child) is created in the same transaction.
		nch := s.change(&run{exec: nr.Execution}, nr.Effects)
		ch.NewRun = &nch
	}
	wasOpen := r.rec.Open
	if err := s.store.UpdateExecution(ctx, ch); err != nil {
		return err
	}
	r.rec = ch.Execution
	// Cached before the pollers of its new tasks are woken, so that they
	// find it.
	s.runs.put(r)
	s.afterCommit(ch)
	if ch.NewRun != nil {
		s.afterCommit(*ch.NewRun)
	}
	s.observeChange(wasOpen, ch, eff.Events)
	return nil
}

// create writes a new run r (StartWorkflowExecution's) and its effects in
// one transaction, as commit writes a command on an existing run: the two
// are the service's only writes of runs. The domain's open-run limit is
// checked in that transaction (store.ExecutionChange.OpenLimit).
func (s *Service) create(ctx context.Context, r *run, eff engine.Effects) error {
	ch := s.change(r, eff)
	ch.OpenLimit = s.cfg.Limits.OpenExecutionsPerDomain
	if err := s.store.CreateExecution(ctx, ch); err != nil {
		return err
	}
	r.rec = ch.Execution
	s.runs.put(r)
	s.afterCommit(ch)
	return nil
}

// change turns an engine state and its effects into a store change.
func (s *Service) change(r *run, eff engine.Effects) store.ExecutionChange {
	e := r.exec
	// The engine's own encoder writes json.Marshal's bytes without
	// reflection (a tenth of the cost).
	state := e.AppendJSON(nil)
	ch := store.ExecutionChange{
		Execution: store.Execution{
			Domain:          e.Domain,
			WorkflowID:      e.WorkflowID,
			RunID:           e.RunID,
			Version:         r.rec.Version + 1,
			Open:            e.Open,
			State:           state,
			TypeName:        e.WorkflowType.Name,
			TypeVersion:     e.WorkflowType.Version,
			StartedAt:       e.StartedAt,
			ClosedAt:        e.ClosedAt,
			CloseStatus:     string(e.CloseStatus),
			TagList:         e.TagList,
			CancelRequested: e.CancelRequested,
		},
		ExpectedVersion:  r.rec.Version,
		RemoveTimers:     eff.RemoveTimers,
		RemoveActivities: eff.RemoveActivities,
	}
	// A child's parent (a successor by continue-as-new keeps it) is a
	// column too, so that the visibility lists can report it.
	if p := e.Parent; p != nil {
		ch.Execution.ParentWorkflowID, ch.Execution.ParentRunID = p.WorkflowID, p.RunID
	}
	for _, ev := range eff.Events {
		// The generated encoder writes json.Marshal's bytes without
		// reflection.
		data := ev.AppendJSON(nil)
		ch.Events = append(ch.Events, store.Event{ID: *ev.EventId, Data: data})
	}
	for _, t := range eff.Tasks {
		ch.AddTasks = append(ch.AddTasks, s.storeTask(e, t))
	}
	if len(ch.AddTasks) > 0 {
		// The queue time backlog ages are measured from (store.Backlogs).
		ch.QueuedAt = s.clock.Now()
	}
	for _, t := range eff.RemoveTasks {
		ch.TakeTasks = append(ch.TakeTasks, s.storeTask(e, t))
	}
	for _, t := range eff.Timers {
		ch.SetTimers = append(ch.SetTimers, store.Timer{Domain: e.Domain, WorkflowID: e.WorkflowID, RunID: e.RunID, Key: t.Key, FireAt: t.FireAt})
	}
	for _, a := range eff.Activities {
		ch.PutActivities = append(ch.PutActivities, activityRow(e, a))
	}
	return ch
}

func (s *Service) storeTask(e *engine.Execution, t engine.Task) store.Task {
	kind := store.ActivityTask
	if t.Kind == engine.TaskDecision {
		kind = store.DecisionTask
	}
	return store.Task{Kind: kind, Domain: e.Domain, TaskList: t.TaskList, Priority: t.Priority, WorkflowID: e.WorkflowID, RunID: e.RunID, ScheduledEventID: t.ScheduledEventID}
}

// activityRow is the row heartbeats update, with the deadlines past which a
// heartbeat is refused.
func activityRow(e *engine.Execution, a engine.ActivityRow) store.Activity {
	row := store.Activity{RunID: e.RunID, ScheduledEventID: a.ScheduledEventID, StartedEventID: a.StartedEventID, CancelRequested: a.CancelRequested}
	act, ok := e.Activities[a.ScheduledEventID]
	if !ok {
		return row
	}
	row.StartedAt = act.StartedAt
	// NONE, or no value, is no limit (ok false).
	row.HeartbeatTimeout, _ = engine.Seconds(act.HeartbeatTimeout)
	if d, ok := engine.Seconds(act.StartToClose); ok && d > 0 {
		row.Deadline = act.StartedAt.Add(d)
	}
	if d, ok := engine.Seconds(act.ScheduleToClose); ok && d > 0 {
		if end := act.ScheduledAt.Add(d); row.Deadline.IsZero() || end.Before(row.Deadline) {
			row.Deadline = end
		}
	}
	return row
}

// afterCommit wakes the pollers of new tasks and the timer loop. A task
// no poller of this node was waiting for is announced to the other nodes
// sharing the store, if any (see nodes.go).
func (s *Service) afterCommit(ch store.ExecutionChange) {
	// Before the new tasks are offered: their pollers read these events.
	// A closed run's history is read far less (no decider reads it), so
	// its room goes to open runs; a read brings it back.
	switch {
	case !ch.Execution.Open:
		s.histories.forget([]string{ch.Execution.RunID})
	case len(ch.Events) > 0:
		data := make([][]byte, len(ch.Events))
		for i, ev := range ch.Events {
			data[i] = ev.Data
		}
		s.histories.add(ch.Execution.RunID, ch.Events[0].ID, data)
	}
	s.observeStart(ch)
	for _, t := range ch.AddTasks {
		k := matching.Key{Kind: t.Kind, Domain: t.Domain, TaskList: t.TaskList}
		if !s.matcher.Offer(k, t) {
			s.announce(k)
		}
	}
	if len(ch.SetTimers) > 0 && s.timers != nil {
		first := ch.SetTimers[0].FireAt
		for _, t := range ch.SetTimers[1:] {
			if t.FireAt.Before(first) {
				first = t.FireAt
			}
		}
		s.timers.Armed(first)
	}
}

// newRunID returns a fresh run id, shaped like SWF's: a version digit and
// 44 characters of base64. The first eight carry the time in milliseconds
// in an alphabet of base64's characters taken in byte order, so a newer
// run's id sorts after an older one's; the rest is random. The store keys
// a run's history, tasks, timers and activities by its id: ids that sort
// by age put the rows of the runs in flight side by side at the end of
// each B-tree, where a commit dirties a few pages instead of one a row.
func newRunID() string {
	const sortable = "+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [45]byte
	b[0] = '2'
	ms := uint64(time.Now().UnixMilli())
	for i := 8; i >= 1; i-- {
		b[i] = sortable[ms&63]
		ms >>= 6
	}
	var r [26]byte
	rand.Read(r[:])
	base64.StdEncoding.Encode(b[9:], r[:]) // 36 characters, the last "=" as in SWF's
	return string(b[:])
}
