package service

import (
	"context"
	"errors"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// childWork carries out what a timer of a parent or a child run stands for
// (see engine/children.go): starting a child, applying a closed parent's
// child policy to a child, or telling a parent how its child closed. Each
// is done in two transactions at most, the owing run's timer removed in
// the last, so a crash in between does the work again, and the engine
// records it once.
func (s *Service) childWork(ctx context.Context, t store.Timer, initiatedEventID int64, what string) error {
	switch what {
	case engine.ChildStart:
		return s.startChild(ctx, t, initiatedEventID)
	case engine.ChildPolicy:
		return s.applyChildPolicy(ctx, t, initiatedEventID)
	default:
		return s.notifyParent(ctx, t)
	}
}

// startChild creates the child in the transaction that records
// ChildWorkflowExecutionStarted in its parent; when the child's workflow id
// has an open run (WORKFLOW_ALREADY_RUNNING), or the domain as many open
// runs as it may (OPEN_WORKFLOWS_LIMIT_EXCEEDED), the parent records
// StartChildWorkflowExecutionFailed instead.
func (s *Service) startChild(ctx context.Context, t store.Timer, initiatedEventID int64) error {
	failed := func(cause swfapi.StartChildWorkflowExecutionFailedCause) error {
		return s.settle(ctx, t, func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			return e.ChildStartFailed(initiatedEventID, cause, now)
		})
	}
	switch full, err := s.domainFull(ctx, t.Domain); {
	case err != nil:
		return err
	case full:
		return failed(swfapi.StartChildWorkflowExecutionFailedCauseOpenWorkflowsLimitExceeded)
	}
	err := s.settle(ctx, t, func(e *engine.Execution, now time.Time) (engine.Effects, error) {
		return e.StartChild(initiatedEventID, newRunID(), now)
	})
	if errors.Is(err, store.ErrExists) {
		err = failed(swfapi.StartChildWorkflowExecutionFailedCauseWorkflowAlreadyRunning)
	}
	return err
}

// notifyParent tells the parent of a closed child how it closed.
func (s *Service) notifyParent(ctx context.Context, t store.Timer) error {
	child, err := s.loadRunByID(ctx, t.RunID)
	if err != nil {
		return s.goneIsDone(ctx, t, err)
	}
	parent, notice, owed := child.exec.ParentNoticeOwed()
	if !owed {
		return s.dropTimer(ctx, t)
	}
	_, _, err = s.update(ctx, func(ctx context.Context) (*run, error) { return s.loadRunByID(ctx, parent.RunID) },
		func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			return e.ChildClosed(parent.InitiatedEventID, child.exec.RunID, notice, now)
		})
	if err != nil && !isFault(err) { // a parent that is gone needs no news
		return err
	}
	return s.settle(ctx, t, func(e *engine.Execution, now time.Time) (engine.Effects, error) { return e.ParentNotified(now) })
}

// errNotChild stands for a run of the child's workflow id that is not the
// child (or its successor): the child has closed already.
var errNotChild = swfapi.NewFault(swfapi.CodeUnknownResource, "not the child")

// applyChildPolicy terminates, or asks to cancel, the open run of a closed
// parent's child.
func (s *Service) applyChildPolicy(ctx context.Context, t store.Timer, initiatedEventID int64) error {
	parent, err := s.loadRunByID(ctx, t.RunID)
	if err != nil {
		return s.goneIsDone(ctx, t, err)
	}
	ch, owed := parent.exec.ChildPolicyOwed(initiatedEventID)
	if !owed {
		return s.dropTimer(ctx, t)
	}
	_, _, err = s.update(ctx, func(ctx context.Context) (*run, error) {
		r, err := s.loadOpenRun(ctx, parent.exec.Domain, ch.WorkflowID, "")
		if err == nil && !r.exec.IsChildOf(parent.exec.RunID, initiatedEventID) {
			return nil, errNotChild
		}
		return r, err
	}, func(e *engine.Execution, now time.Time) (engine.Effects, error) {
		if ch.Policy == swfapi.ChildPolicyRequestCancel {
			return e.CancelByParentPolicy(now)
		}
		return e.TerminateByParentPolicy(now)
	})
	if err != nil && !isFault(err) { // a child that has closed needs nothing
		return err
	}
	return s.settle(ctx, t, func(e *engine.Execution, now time.Time) (engine.Effects, error) {
		return e.ChildPolicyApplied(initiatedEventID, now)
	})
}

// settle applies cmd to the run that owns timer t and removes t in the
// same transaction: the owed work is done. A run that is gone owes nothing.
func (s *Service) settle(ctx context.Context, t store.Timer, cmd func(*engine.Execution, time.Time) (engine.Effects, error)) error {
	_, _, err := s.update(ctx, func(ctx context.Context) (*run, error) { return s.loadRunByID(ctx, t.RunID) },
		func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			eff, err := cmd(e, now)
			eff.RemoveTimers = append(eff.RemoveTimers, t.Key)
			return eff, err
		})
	return s.goneIsDone(ctx, t, err)
}

// goneIsDone passes err on, except a fault (the run is gone), for which the
// timer is dropped: nothing is owed any more.
func (s *Service) goneIsDone(ctx context.Context, t store.Timer, err error) error {
	if isFault(err) {
		return s.dropTimer(ctx, t)
	}
	return err
}

func isFault(err error) bool {
	var fault *swfapi.Fault
	return errors.As(err, &fault)
}
