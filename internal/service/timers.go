package service

import (
	"context"
	"errors"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// FireTimer applies a due durable timer to its run.
func (s *Service) FireTimer(ctx context.Context, t store.Timer) error {
	if id, ok := engine.ExternalKey(t.Key); ok {
		return s.deliverExternal(ctx, t, id)
	}
	if id, what, ok := engine.ChildKey(t.Key); ok {
		return s.childWork(ctx, t, id, what)
	}
	_, _, err := s.update(ctx, func(ctx context.Context) (*run, error) { return s.loadRunByID(ctx, t.RunID) },
		func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			eff, err := e.FireTimer(t.Key, now)
			if err != nil {
				return eff, err
			}
			// The fired row goes in the same transaction, unless the
			// engine re-armed it (SetTimers are applied after removals).
			eff.RemoveTimers = append(eff.RemoveTimers, t.Key)
			return eff, nil
		})
	var fault *swfapi.Fault
	if errors.As(err, &fault) {
		// The run is gone or closed: nothing to fire. Drop the row.
		s.logger.Debug("dropping a timer of a closed or missing run", "run_id", t.RunID, "key", t.Key, "err", err)
		return s.dropTimer(ctx, t)
	}
	return err
}

func (s *Service) dropTimer(ctx context.Context, t store.Timer) error {
	r, err := s.loadRunByID(ctx, t.RunID)
	if err != nil {
		return nil
	}
	err = s.commit(ctx, r, engine.Effects{RemoveTimers: []string{t.Key}}, nil)
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}
