package service

import (
	"context"
	"errors"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// deliverExternal delivers a signal or cancel request one run sent another,
// when the timer that records it is owed fires: first to the target, in its
// own transaction, then the outcome back to the sender, with the timer row.
// A crash in between delivers again; the target knows the request and
// records it once.
func (s *Service) deliverExternal(ctx context.Context, t store.Timer, initiatedEventID int64) error {
	src, err := s.loadRunByID(ctx, t.RunID)
	if err != nil {
		var fault *swfapi.Fault
		if errors.As(err, &fault) {
			return nil // the sender is gone: nothing is owed
		}
		return err
	}
	req, owed := src.exec.Request(initiatedEventID)
	if !owed {
		return s.dropTimer(ctx, t)
	}
	source := swfapi.WorkflowExecution{WorkflowId: swfapi.Ptr(src.exec.WorkflowID), RunId: swfapi.Ptr(src.exec.RunID)}
	target, _, err := s.update(ctx, s.openRunLoader(src.exec.Domain, req.WorkflowID, req.RunID),
		func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			return e.ReceiveExternal(req, source, initiatedEventID, now)
		})
	var fault *swfapi.Fault
	delivered := err == nil
	if err != nil && !(errors.As(err, &fault) && fault.Code == swfapi.CodeUnknownResource) {
		return err // tried again when the timer loop retries
	}
	_, _, err = s.update(ctx, func(ctx context.Context) (*run, error) { return s.loadRunByID(ctx, t.RunID) },
		func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			var eff engine.Effects
			var err error
			if delivered {
				eff, err = e.ExternalDelivered(initiatedEventID, target.exec.RunID, now)
			} else {
				eff, err = e.ExternalFailed(initiatedEventID, now)
			}
			eff.RemoveTimers = append(eff.RemoveTimers, t.Key)
			return eff, err
		})
	return err
}
