package service

import (
	"context"
	"log/slog"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// Observer hears of the changes that matter to an operator, as they are
// committed, for metrics. Labels stay bounded: domains, close statuses and
// task kinds, never an execution. Calls come from request goroutines, so
// implementations must be quick and safe for concurrent use.
type Observer interface {
	// ExecutionStarted: a run was created (a start, a child's start, a
	// successor by continue-as-new).
	ExecutionStarted(domain string)
	// ExecutionClosed: a run closed with status.
	ExecutionClosed(domain, status string)
	// Heartbeat: an activity's heartbeat was recorded.
	Heartbeat(domain string)
	// TaskTimedOut: a decision or activity task timed out.
	TaskTimedOut(domain string, kind store.TaskKind)
}

type noObserver struct{}

func (noObserver) ExecutionStarted(string)             {}
func (noObserver) ExecutionClosed(string, string)      {}
func (noObserver) Heartbeat(string)                    {}
func (noObserver) TaskTimedOut(string, store.TaskKind) {}

// observeStart reports a run that ch created, when it created one.
func (s *Service) observeStart(ch store.ExecutionChange) {
	if ch.ExpectedVersion != 0 {
		return
	}
	x := ch.Execution
	s.obs.ExecutionStarted(x.Domain)
	if s.logger.Enabled(context.Background(), slog.LevelInfo) {
		s.logger.Info("execution started", "domain", x.Domain, "workflow_id", x.WorkflowID, "run_id", x.RunID,
			"workflow_type", x.TypeName, "workflow_type_version", x.TypeVersion)
	}
}

// observeChange reports what a committed change to an existing run did:
// closed it (it was open before), timed out its tasks.
func (s *Service) observeChange(wasOpen bool, ch store.ExecutionChange, events []swfapi.HistoryEvent) {
	x := ch.Execution
	info := s.logger.Enabled(context.Background(), slog.LevelInfo)
	for i := range events {
		ev := &events[i]
		if ev.EventType == nil {
			continue
		}
		var kind store.TaskKind
		switch *ev.EventType {
		case swfapi.EventTypeActivityTaskTimedOut:
			kind = store.ActivityTask
		case swfapi.EventTypeDecisionTaskTimedOut:
			kind = store.DecisionTask
		default:
			continue
		}
		s.obs.TaskTimedOut(x.Domain, kind)
		if info {
			attrs := []any{"domain", x.Domain, "workflow_id", x.WorkflowID, "run_id", x.RunID, "kind", string(kind)}
			if a := ev.ActivityTaskTimedOutEventAttributes; a != nil && a.TimeoutType != nil {
				attrs = append(attrs, "timeout_type", string(*a.TimeoutType), "scheduled_event_id", deref(a.ScheduledEventId))
			}
			if a := ev.DecisionTaskTimedOutEventAttributes; a != nil && a.TimeoutType != nil {
				attrs = append(attrs, "timeout_type", string(*a.TimeoutType), "scheduled_event_id", deref(a.ScheduledEventId))
			}
			s.logger.Info("task timed out", attrs...)
		}
	}
	if wasOpen && !x.Open {
		s.obs.ExecutionClosed(x.Domain, x.CloseStatus)
		if info {
			s.logger.Info("execution closed", "domain", x.Domain, "workflow_id", x.WorkflowID, "run_id", x.RunID,
				"close_status", x.CloseStatus, "duration", x.ClosedAt.Sub(x.StartedAt))
		}
	}
}
