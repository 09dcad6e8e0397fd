package service

import (
	"context"
	"errors"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/tasktoken"
)

// PollForActivityTask hands an activity task of a task list to a worker,
// highest priority first, waiting for one up to the long-poll hold.
func (s *Service) PollForActivityTask(ctx context.Context, in *swfapi.PollForActivityTaskInput) (*swfapi.ActivityTask, error) {
	if err := problemError(swfapi.NameEdgeProblem("taskList.name", *in.TaskList.Name)); err != nil {
		return nil, err
	}
	if err := s.domainExists(ctx, *in.Domain); err != nil {
		return nil, err
	}
	var out *swfapi.ActivityTask
	key := matching.Key{Kind: store.ActivityTask, Domain: *in.Domain, TaskList: *in.TaskList.Name}
	s.pollers.Saw(key, deref(in.Identity), s.clock.Now())
	err := s.claim(ctx, key, func(ctx context.Context, t store.Task) (bool, error) {
		var input *string
		r, ok, err := s.startTask(ctx, t, func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			// The state keeps an activity's input only until its task
			// starts: the answer takes it from the state before.
			input = e.Activities[t.ScheduledEventID].Input
			return e.StartActivityTask(t.ScheduledEventID, deref(in.Identity), now)
		})
		if !ok || err != nil {
			return ok, err
		}
		e := r.exec
		a := e.Activities[t.ScheduledEventID]
		tok := tasktoken.Token{Kind: tasktoken.Activity, Domain: e.Domain, RunID: e.RunID, ScheduledEventID: a.ScheduledEventID, StartedEventID: a.StartedEventID}
		out = &swfapi.ActivityTask{
			TaskToken:         swfapi.Ptr(s.tokens.Encode(tok)),
			ActivityId:        swfapi.Ptr(a.ActivityID),
			StartedEventId:    swfapi.Ptr(a.StartedEventID),
			WorkflowExecution: &swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(e.WorkflowID), RunId: swfapi.Ptr(e.RunID)},
			ActivityType:      &swfapi.ActivityType{Name: swfapi.Ptr(a.Type.Name), Version: swfapi.Ptr(a.Type.Version)},
			Input:             input,
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return &swfapi.ActivityTask{StartedEventId: swfapi.Ptr(int64(0))}, nil
	}
	return out, nil
}

// RecordActivityTaskHeartbeat resets a started activity's heartbeat clock
// and keeps its details. It touches only the activity's own row — never the
// history, nor the execution — so it waits on nothing else.
func (s *Service) RecordActivityTaskHeartbeat(ctx context.Context, in *swfapi.RecordActivityTaskHeartbeatInput) (*swfapi.ActivityTaskStatus, error) {
	tok, err := s.taskToken(*in.TaskToken, tasktoken.Activity)
	if err != nil {
		return nil, err
	}
	canceled, err := s.store.Heartbeat(ctx, tok.RunID, tok.ScheduledEventID, tok.StartedEventID, in.Details, s.clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, engine.UnknownActivity(tok.ScheduledEventID)
	}
	if err != nil {
		return nil, err
	}
	s.obs.Heartbeat(tok.Domain)
	return &swfapi.ActivityTaskStatus{CancelRequested: swfapi.Ptr(canceled)}, nil
}

// RespondActivityTaskCompleted closes an activity task with its result.
func (s *Service) RespondActivityTaskCompleted(ctx context.Context, in *swfapi.RespondActivityTaskCompletedInput) error {
	return s.activityCommand(ctx, *in.TaskToken, func(e *engine.Execution, tok tasktoken.Token, now time.Time) (engine.Effects, error) {
		return e.CompleteActivityTask(tok.ScheduledEventID, tok.StartedEventID, in.Result, now)
	})
}

// RespondActivityTaskFailed closes an activity task as failed.
func (s *Service) RespondActivityTaskFailed(ctx context.Context, in *swfapi.RespondActivityTaskFailedInput) error {
	return s.activityCommand(ctx, *in.TaskToken, func(e *engine.Execution, tok tasktoken.Token, now time.Time) (engine.Effects, error) {
		return e.FailActivityTask(tok.ScheduledEventID, tok.StartedEventID, in.Reason, in.Details, now)
	})
}

// RespondActivityTaskCanceled closes an activity task as canceled.
func (s *Service) RespondActivityTaskCanceled(ctx context.Context, in *swfapi.RespondActivityTaskCanceledInput) error {
	return s.activityCommand(ctx, *in.TaskToken, func(e *engine.Execution, tok tasktoken.Token, now time.Time) (engine.Effects, error) {
		return e.CancelActivityTask(tok.ScheduledEventID, tok.StartedEventID, in.Details, now)
	})
}

func (s *Service) activityCommand(ctx context.Context, token string, cmd func(*engine.Execution, tasktoken.Token, time.Time) (engine.Effects, error)) error {
	tok, err := s.taskToken(token, tasktoken.Activity)
	if err != nil {
		return err
	}
	_, _, err = s.updateRun(ctx, tok.RunID,
		func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			if !e.Open {
				// A closed run's tasks are gone with it.
				return engine.Effects{}, engine.UnknownActivity(tok.ScheduledEventID)
			}
			return cmd(e, tok, now)
		})
	return err
}
