// Package service implements the SWF operations: the glue between the wire
// (swfapi types, already validated against the model), the service's own
// rules, and the store. Each operation follows one shape: check what the model
// cannot express, load, apply, commit in one store transaction, answer.
package service

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/tasktoken"
	"github.com/openswf/openswf/internal/timer"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// Limits are SWF's account quotas, which the service enforces.
type Limits struct {
	// Domains is the most domains, registered and deprecated, an account has.
	Domains int
	// TypesPerKind is the most activity types, and separately workflow
	// types, that a domain has, registered and deprecated.
	TypesPerKind int
	// TagsPerDomain is the most tags a domain carries.
	TagsPerDomain int
}

// DefaultLimits are Amazon SWF's documented quotas.
func DefaultLimits() Limits {
	return Limits{Domains: 100, TypesPerKind: 10000, TagsPerDomain: 50}
}

// Config is what a Service needs besides its store.
type Config struct {
	Region    string
	AccountID string
	Limits    Limits
	// LongPoll is how long a poll waits for a task before it answers
	// empty. SWF holds polls for 60 s, but botocore-based clients stop
	// reading at 60 s, so the default stays below that.
	LongPoll time.Duration
	// PollRecheck is how often a waiting poll looks in the store for tasks
	// that another node queued.
	PollRecheck time.Duration
}

// DefaultLongPoll is the default hold of a poll.
const DefaultLongPoll = 50 * time.Second

// Service is the SWF API. Operations not built yet answer NotImplemented
// through the embedded swfapi.Unimplemented.
type Service struct {
	swfapi.Unimplemented

	cfg          Config
	store        store.Store
	clock        clock.Clock
	logger       *slog.Logger
	pages        *pageTokens
	tokens       *tasktoken.Signer
	matcher      *matching.Matcher
	timers       *timer.Loop
	longPoll     time.Duration
	engineLimits engine.Limits
	// claiming holds the claimKeys of the tasks this node's pollers are
	// starting at the moment.
	claiming sync.Map
	// started remembers the tasks this node's pollers started last.
	started recentStarts
	// runs caches the decoded state of runs this node committed.
	runs *runCache
	// domainsSeen holds the names of the domains known to exist (see
	// domainExists).
	domainsSeen sync.Map
}

var _ swfapi.API = (*Service)(nil)

// New returns a Service over st. It reads its signing secrets from the
// store, so that page and task tokens handed out before a restart stay valid
// after it. Run must be running for timers to fire.
func New(ctx context.Context, cfg Config, st store.Store, clk clock.Clock, logger *slog.Logger) (*Service, error) {
	pageSecret, err := st.Secret(ctx, "page-token")
	if err != nil {
		return nil, fmt.Errorf("reading the page token secret: %w", err)
	}
	taskSecret, err := st.Secret(ctx, "task-token")
	if err != nil {
		return nil, fmt.Errorf("reading the task token secret: %w", err)
	}
	if cfg.LongPoll <= 0 {
		cfg.LongPoll = DefaultLongPoll
	}
	if cfg.PollRecheck <= 0 {
		cfg.PollRecheck = time.Second
	}
	s := &Service{
		cfg:          cfg,
		store:        st,
		clock:        clk,
		logger:       logger,
		pages:        &pageTokens{secret: pageSecret, clock: clk},
		tokens:       tasktoken.NewSigner(taskSecret),
		matcher:      matching.New(clk, cfg.PollRecheck),
		longPoll:     cfg.LongPoll,
		engineLimits: engine.DefaultLimits(),
		runs:         newRunCache(),
	}
	s.timers = timer.New(st, clk, s.FireTimer, logger)
	return s, nil
}

// Run fires durable timers until ctx ends.
func (s *Service) Run(ctx context.Context) { s.timers.Run(ctx) }

// StopPolls ends every waiting poll at once, empty-handed, so that a
// shutdown need not wait out the long polls.
func (s *Service) StopPolls() { s.matcher.Close() }
