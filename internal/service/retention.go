package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// Retention: SWF keeps a closed run (its history, and its place in the
// visibility lists) for the domain's workflowExecutionRetentionPeriodInDays
// after it closed, then forgets it; with NONE it keeps none.
//
// The sweeper is a plain periodic loop on the service's clock, started by
// Run, not a durable timer: the timer rows belong to runs (they cannot
// outlive one), a sweep has no state to keep, and it is idempotent, so a
// restart simply sweeps again at once and nothing is lost by not
// remembering when the last sweep was. Each sweep reads the domains,
// registered and deprecated, computes each one's cut-off from its
// retention and the clock, and deletes the runs closed before it in
// batches (store.RetentionStore.DeleteClosed) until a batch comes back
// empty. On SQLite a batch is one request of the
// committer, so other writes run between batches; SweepBatch bounds how
// long one holds the writer. Several nodes may sweep at once: on
// PostgreSQL a batch skips the runs another is deleting.
//
// A run that still owes work to another run (a closed child's news for its
// parent, a closed parent's child policy: timer rows) is kept until that
// work is done, so deleting a run never loses what another run waits for.
// What remains refers to a deleted run by ids only, and every path that
// follows such ids treats a missing run as one that needs nothing.

// Defaults of Config.SweepInterval and Config.SweepBatch. On SQLite a
// batch of 100 runs of 30 events took about 15 ms, fsync included, on a
// small machine; 32 keeps a batch to a few milliseconds of the writer,
// and the SQLite store cuts a batch shorter still when its runs' histories
// are long (see store/sqlite/retention.go).
const (
	DefaultSweepInterval = time.Minute
	DefaultSweepBatch    = 32
)

// domainPage is how many domains a sweep reads at once.
const domainPage = 100

func (s *Service) sweepInterval() time.Duration {
	if s.cfg.SweepInterval > 0 {
		return s.cfg.SweepInterval
	}
	return DefaultSweepInterval
}

func (s *Service) sweepBatch() int {
	if s.cfg.SweepBatch > 0 {
		return s.cfg.SweepBatch
	}
	return DefaultSweepBatch
}

// sweepLoop sweeps at once, then every SweepInterval, until ctx ends.
func (s *Service) sweepLoop(ctx context.Context) {
	for ctx.Err() == nil {
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.logger.Error("sweeping closed runs", "deleted", n, "err", err)
		} else if n > 0 {
			s.logger.Info("swept closed runs past their retention", "deleted", n)
		}
		t := s.clock.NewTimer(s.sweepInterval())
		select {
		case <-t.C():
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

// Sweep deletes, in every domain, the closed runs whose retention has
// passed, and returns how many it deleted. A domain that fails does not
// stop the others; the errors come back together.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	// One sweep at a time in a node: a second would only skip the runs
	// the first is deleting (on PostgreSQL) and return before they are
	// gone, so a caller could not rely on Sweep having swept.
	s.sweeping.Lock()
	defer s.sweeping.Unlock()
	now := s.clock.Now()
	var (
		total int
		errs  []error
	)
	for _, status := range []string{store.StatusRegistered, store.StatusDeprecated} {
		after := ""
		for {
			domains, err := s.store.ListDomains(ctx, store.DomainQuery{Status: status, After: after, Limit: domainPage})
			if err != nil {
				return total, errors.Join(append(errs, fmt.Errorf("listing %s domains: %w", status, err))...)
			}
			for _, d := range domains {
				n, err := s.sweepDomain(ctx, d, now)
				total += n
				if err != nil {
					if ctx.Err() != nil {
						return total, err
					}
					errs = append(errs, fmt.Errorf("domain %s: %w", d.Name, err))
				}
			}
			if len(domains) < domainPage {
				break
			}
			after = domains[len(domains)-1].Name
		}
	}
	return total, errors.Join(errs...)
}

// sweepDomain deletes the runs of d closed before its retention's
// cut-off, a batch at a time, until a batch comes back empty.
func (s *Service) sweepDomain(ctx context.Context, d store.Domain, now time.Time) (int, error) {
	cutoff, err := retentionCutoff(d.Retention, now)
	if err != nil {
		return 0, err
	}
	batch, total := s.sweepBatch(), 0
	for {
		ids, err := s.store.DeleteClosed(ctx, d.Name, cutoff, batch)
		total += len(ids)
		s.runs.forget(ids)
		s.histories.forget(ids)
		if len(ids) > 0 && s.logger.Enabled(ctx, slog.LevelDebug) {
			s.logger.Debug("deleted closed runs", "domain", d.Name, "runs", strings.Join(ids, ","))
		}
		// Only an empty batch says the domain is done: a store may return
		// fewer runs than asked to keep a transaction short (SQLite, by
		// history length), or skip runs being changed (PostgreSQL).
		if err != nil || len(ids) == 0 {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// retentionCutoff is the close time before which a run of a domain with
// that retention is deleted at now: NONE (or 0 days) keeps no closed run.
func retentionCutoff(retention string, now time.Time) (time.Time, error) {
	if retention == "NONE" {
		return now, nil
	}
	days, err := strconv.Atoi(retention)
	if err != nil || days < 0 {
		return time.Time{}, fmt.Errorf("retention %q is not NONE or a number of days", retention)
	}
	return now.Add(-time.Duration(days) * 24 * time.Hour), nil
}

// forget drops deleted runs from the cache. The cache holds open runs
// only, which a sweep never deletes, so this is a safeguard; another
// node's cache may still hold, as open, a run that was closed elsewhere
// and then deleted; a command on it fails in the store with ErrNotFound
// and is judged again on a fresh load (see staleSensitive).
func (c *runCache) forget(runIDs []string) {
	if len(runIDs) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range runIDs {
		delete(c.runs, id)
	}
}
