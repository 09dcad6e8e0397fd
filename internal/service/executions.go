package service

import (
	"context"
	"errors"
	"fmt"
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
	switch err := s.create(ctx, &run{exec: exec}, eff); {
	case errors.Is(err, store.ErrExists):
		return nil, swfapi.NewFault(swfapi.CodeWorkflowExecutionAlreadyStarted, "Already Started")
	case errors.Is(err, store.ErrLimit):
		return nil, tooManyOpenExecutions(*in.Domain, s.cfg.Limits.OpenExecutionsPerDomain)
	case err != nil:
		return nil, err
	}
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
	d := r.exec.Detail()
	if id := r.exec.LatestExecutionContextEventID; id > 0 {
		// The state names the event; the context is in it.
		data, err := s.historyData(ctx, r.exec.RunID, id, id)
		if err != nil {
			return nil, err
		}
		if len(data) == 0 {
			// Deleted since it was loaded (retention).
			return nil, engine.UnknownExecution(*in.Execution.WorkflowId, *in.Execution.RunId)
		}
		var ev swfapi.HistoryEvent
		if err := jsonDecode(data[0], &ev); err != nil {
			return nil, fmt.Errorf("service: event %d of run %s: %w", id, r.exec.RunID, err)
		}
		if a := ev.DecisionTaskCompletedEventAttributes; a != nil {
			d.LatestExecutionContext = a.ExecutionContext
		}
	}
	return d, nil
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
	page, err := s.historyPage(ctx, r.exec.RunID, from, r.exec.NextEventID-1, pageSize(in.MaximumPageSize), reverse)
	if err != nil {
		return nil, err
	}
	out := &swfapi.History{Events: page.events, EventsEncoded: page.encoded}
	if page.more {
		out.NextPageToken = s.pages.make(query, strconv.FormatInt(page.last, 10))
	}
	return out, nil
}

// historyPage is a page of a run's history, as one of two carriers.
type historyPage struct {
	events  []swfapi.HistoryEvent // decoded, for callers that read fields
	encoded [][]byte              // or each event's stored JSON, for callers that only encode
	last    int64                 // the id of the page's last event; 0 when empty
	more    bool                  // another page follows
}

// historyPage reads up to limit events of a run after (or, reversed,
// before) the event id from, none past last (the run's last event when it
// was loaded, or a decision task's start). The events come from the
// history cache as far as it knows the run, then from the store, which
// also grows the cache. For a caller that only encodes the answer
// (swfapi.EncodedOutput) the page is the events' stored JSON, never
// decoded; others get the events' fields.
func (s *Service) historyPage(ctx context.Context, runID string, from, last int64, limit int, reverse bool) (historyPage, error) {
	// The page is events lo to hi, in order or reversed, plus one more to
	// tell whether another page follows.
	var lo, hi int64
	if !reverse {
		lo = max(from, 0) + 1
		hi = min(lo+int64(limit), last)
	} else {
		hi = last
		if from > 0 {
			hi = min(from-1, last)
		}
		lo = max(hi-int64(limit), 1)
	}
	var data [][]byte
	if lo <= hi {
		var err error
		if data, err = s.historyData(ctx, runID, lo, hi); err != nil {
			return historyPage{}, err
		}
		hi = lo + int64(len(data)) - 1
	}
	var p historyPage
	if p.more = len(data) > limit; p.more && reverse {
		data, lo = data[1:], lo+1 // the one past the page is the lowest
	} else if p.more {
		data, hi = data[:limit], lo+int64(limit)-1
	}
	n := len(data)
	if n > 0 {
		p.last = hi
		if reverse {
			p.last = lo
		}
	}
	if swfapi.EncodedOutput(ctx) {
		p.encoded = data
		if reverse {
			p.encoded = make([][]byte, n)
			for i := range data {
				p.encoded[i] = data[n-1-i]
			}
		} else if data == nil {
			p.encoded = [][]byte{} // an empty list, not a missing one
		}
		return p, nil
	}
	p.events = make([]swfapi.HistoryEvent, n)
	for i := range p.events {
		j := i
		if reverse {
			j = n - 1 - i
		}
		if err := jsonDecode(data[j], &p.events[i]); err != nil {
			return historyPage{}, err
		}
	}
	return p, nil
}

// historyData returns the stored JSON of a run's events lo to hi, fewer
// only when the store holds fewer (the run was deleted meanwhile).
func (s *Service) historyData(ctx context.Context, runID string, lo, hi int64) ([][]byte, error) {
	known := s.histories.known(runID)
	n := int64(len(known))
	if hi <= n {
		return known[lo-1 : hi], nil
	}
	var data [][]byte
	after := lo - 1
	if lo <= n {
		data = append(make([][]byte, 0, hi-lo+1), known[lo-1:]...)
		after = n
	}
	stored, err := s.store.History(ctx, runID, after, int(hi-after), false)
	if err != nil {
		return nil, err
	}
	read := make([][]byte, 0, len(stored))
	for i, ev := range stored {
		if ev.ID != after+1+int64(i) {
			break
		}
		read = append(read, ev.Data)
	}
	s.histories.add(runID, after+1, read)
	return append(data, read...), nil
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
