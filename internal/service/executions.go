package service

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// StartWorkflowExecution starts a run of a workflow type.
func (s *Service) StartWorkflowExecution(ctx context.Context, in *swfapi.StartWorkflowExecutionInput) (*swfapi.Run, error) {
	if err := firstError(checkName("workflowId", *in.WorkflowId), checkTaskList("taskList", in.TaskList)); err != nil {
		return nil, err
	}
	if _, err := s.registeredDomain(ctx, *in.Domain); err != nil {
		return nil, err
	}
	key := workflowKey(*in.Domain, in.WorkflowType)
	wt, err := s.store.GetType(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, unknownType(key)
	}
	if err != nil {
		return nil, err
	}
	if wt.Status == store.StatusDeprecated {
		return nil, typeDeprecated(key)
	}
	info := engine.WorkflowTypeInfo{Deprecated: false}
	if err := jsonDecode(wt.Config, &info.Config); err != nil {
		return nil, err
	}
	runID := newRunID()
	exec, eff, err := engine.Start(engine.StartParams{
		Domain:     *in.Domain,
		WorkflowID: *in.WorkflowId,
		RunID:      runID,
		Request:    in,
		Type:       info,
		Limits:     s.engineLimits,
	}, s.clock.Now())
	if err != nil {
		return nil, err
	}
	r := &run{exec: exec}
	ch, err := s.change(r, eff)
	if err != nil {
		return nil, err
	}
	// The domain's open-run limit is checked in the start's own
	// transaction (see store.ExecutionChange.OpenLimit).
	ch.OpenLimit = s.cfg.Limits.OpenExecutionsPerDomain
	switch err := s.store.CreateExecution(ctx, ch); {
	case errors.Is(err, store.ErrExists):
		return nil, swfapi.NewFault(swfapi.CodeWorkflowExecutionAlreadyStarted, "Already Started")
	case errors.Is(err, store.ErrLimit):
		return nil, tooManyOpenExecutions(*in.Domain, s.cfg.Limits.OpenExecutionsPerDomain)
	case err != nil:
		return nil, err
	}
	r.rec = ch.Execution
	r.events = newEventLog(eff.Events, exec.NextEventID)
	s.runs.put(r)
	s.afterCommit(ch)
	return &swfapi.Run{RunId: swfapi.Ptr(runID)}, nil
}

// domainFull reports whether a domain has as many open runs as it may
// (Limits.OpenExecutionsPerDomain), so that a child started there fails.
// The store keeps the number, so this is one read. It is read before the
// parent's change, not in its transaction: children started at the same
// moment can pass the limit by as many as race, which a quota meant to
// stop a runaway starter tolerates. A run continued as new needs no
// check: one run closes as one opens.
func (s *Service) domainFull(ctx context.Context, domain string) (bool, error) {
	n, err := s.store.OpenCount(ctx, domain)
	if err != nil {
		return false, err
	}
	return n >= s.cfg.Limits.OpenExecutionsPerDomain, nil
}

// SignalWorkflowExecution records a signal in an open run.
func (s *Service) SignalWorkflowExecution(ctx context.Context, in *swfapi.SignalWorkflowExecutionInput) error {
	_, _, err := s.update(ctx, s.openRunLoader(*in.Domain, *in.WorkflowId, deref(in.RunId)), func(e *engine.Execution, now time.Time) (engine.Effects, error) {
		return e.Signal(*in.SignalName, in.Input, now)
	})
	return err
}

// RequestCancelWorkflowExecution records a cancel request in an open run;
// its decider decides what to do about it.
func (s *Service) RequestCancelWorkflowExecution(ctx context.Context, in *swfapi.RequestCancelWorkflowExecutionInput) error {
	_, _, err := s.update(ctx, s.openRunLoader(*in.Domain, *in.WorkflowId, deref(in.RunId)), func(e *engine.Execution, now time.Time) (engine.Effects, error) {
		return e.RequestCancel(now)
	})
	return err
}

// TerminateWorkflowExecution closes an open run at once.
func (s *Service) TerminateWorkflowExecution(ctx context.Context, in *swfapi.TerminateWorkflowExecutionInput) error {
	_, _, err := s.update(ctx, s.openRunLoader(*in.Domain, *in.WorkflowId, deref(in.RunId)), func(e *engine.Execution, now time.Time) (engine.Effects, error) {
		return e.Terminate(in.Reason, in.Details, in.ChildPolicy, now)
	})
	return err
}

func (s *Service) openRunLoader(domain, workflowID, runID string) func(context.Context) (*run, error) {
	return func(ctx context.Context) (*run, error) {
		if _, err := s.domain(ctx, domain); err != nil {
			return nil, err
		}
		return s.loadOpenRun(ctx, domain, workflowID, runID)
	}
}

// DescribeWorkflowExecution returns a run's configuration, state and counts.
func (s *Service) DescribeWorkflowExecution(ctx context.Context, in *swfapi.DescribeWorkflowExecutionInput) (*swfapi.WorkflowExecutionDetail, error) {
	if _, err := s.domain(ctx, *in.Domain); err != nil {
		return nil, err
	}
	r, err := s.loadRun(ctx, *in.Domain, *in.Execution.WorkflowId, *in.Execution.RunId)
	if err != nil {
		return nil, err
	}
	return r.exec.Detail(), nil
}

// GetWorkflowExecutionHistory returns a page of a run's history.
func (s *Service) GetWorkflowExecutionHistory(ctx context.Context, in *swfapi.GetWorkflowExecutionHistoryInput) (*swfapi.History, error) {
	if _, err := s.domain(ctx, *in.Domain); err != nil {
		return nil, err
	}
	wfID, runID := *in.Execution.WorkflowId, *in.Execution.RunId
	r, err := s.loadRun(ctx, *in.Domain, wfID, runID)
	if err != nil {
		return nil, err
	}
	reverse := deref(in.ReverseOrder)
	query := queryKey("GetWorkflowExecutionHistory", *in.Domain, wfID, runID, strconv.FormatBool(reverse))
	after, err := s.pages.read(query, in.NextPageToken)
	if err != nil {
		return nil, err
	}
	from := int64(0)
	if len(after) == 1 {
		if from, err = strconv.ParseInt(after[0], 10, 64); err != nil {
			return nil, invalidToken()
		}
	}
	events, more, err := s.historyPage(ctx, r.exec.RunID, nil, from, 0, pageSize(in.MaximumPageSize), reverse)
	if err != nil {
		return nil, err
	}
	out := &swfapi.History{Events: events}
	if more {
		out.NextPageToken = s.pages.make(query, strconv.FormatInt(*events[len(events)-1].EventId, 10))
	}
	return out, nil
}

// historyPage reads up to limit events of a run after (or, reversed,
// before) the event id from, none past upTo when upTo > 0; more tells
// whether another page follows.
func (s *Service) historyPage(ctx context.Context, runID string, log *eventLog, from, upTo int64, limit int, reverse bool) ([]swfapi.HistoryEvent, bool, error) {
	if reverse && from == 0 && upTo > 0 {
		from = upTo + 1
	}
	var events []swfapi.HistoryEvent
	if known, ok := log.upTo(upTo); ok && upTo > 0 {
		// The node knows the history up to upTo (see run.events): the
		// same page, without reading and decoding it.
		for _, ev := range historySlice(known, from, limit+1, reverse) {
			if *ev.EventId > upTo {
				break
			}
			events = append(events, ev)
		}
	} else {
		stored, err := s.store.History(ctx, runID, from, limit+1, reverse)
		if err != nil {
			return nil, false, err
		}
		// Each event is decoded in its place in the page: an event is a
		// large structure (a pointer per attributes member), which a
		// decode into a variable would allocate and then copy.
		events = make([]swfapi.HistoryEvent, len(stored))
		for i, ev := range stored {
			if upTo > 0 && ev.ID > upTo {
				events = events[:i]
				break
			}
			if err := jsonDecode(ev.Data, &events[i]); err != nil {
				return nil, false, err
			}
		}
	}
	more := len(events) > limit
	if more {
		events = events[:limit]
	}
	return events, more, nil
}

// historySlice is store.History over a whole history held in memory
// (events[i] has id i+1): up to limit events with ids after afterID, or
// before it when reverse (afterID 0: from the end), in id order, descending
// when reverse. The result is a new slice.
func historySlice(events []swfapi.HistoryEvent, afterID int64, limit int, reverse bool) []swfapi.HistoryEvent {
	n := int64(len(events))
	var out []swfapi.HistoryEvent
	if !reverse {
		for id := max(afterID, 0) + 1; id <= n && (limit <= 0 || len(out) < limit); id++ {
			out = append(out, events[id-1])
		}
		return out
	}
	if afterID <= 0 || afterID > n+1 {
		afterID = n + 1
	}
	for id := afterID - 1; id >= 1 && (limit <= 0 || len(out) < limit); id-- {
		out = append(out, events[id-1])
	}
	return out
}

// CountPendingDecisionTasks counts the decision tasks waiting in a task list.
func (s *Service) CountPendingDecisionTasks(ctx context.Context, in *swfapi.CountPendingDecisionTasksInput) (*swfapi.PendingTaskCount, error) {
	return s.countTasks(ctx, store.DecisionTask, *in.Domain, *in.TaskList.Name)
}

// CountPendingActivityTasks counts the activity tasks waiting in a task list.
func (s *Service) CountPendingActivityTasks(ctx context.Context, in *swfapi.CountPendingActivityTasksInput) (*swfapi.PendingTaskCount, error) {
	return s.countTasks(ctx, store.ActivityTask, *in.Domain, *in.TaskList.Name)
}

func (s *Service) countTasks(ctx context.Context, kind store.TaskKind, domain, taskList string) (*swfapi.PendingTaskCount, error) {
	if _, err := s.domain(ctx, domain); err != nil {
		return nil, err
	}
	n, err := s.store.CountTasks(ctx, kind, domain, taskList)
	if err != nil {
		return nil, err
	}
	return &swfapi.PendingTaskCount{Count: swfapi.Ptr(int32(n)), Truncated: swfapi.Ptr(false)}, nil
}
