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

// Limits are SWF's quotas, which the service enforces. A limit that is not
// positive takes SWF's quota (DefaultLimits).
type Limits struct {
	// Domains is the most domains, registered and deprecated, an account has.
	Domains int
	// TypesPerKind is the most activity types, and separately workflow
	// types, that a domain has, registered and deprecated.
	TypesPerKind int
	// TagsPerDomain is the most tags a domain carries.
	TagsPerDomain int
	// OpenExecutionsPerDomain is the most open runs a domain has: a
	// StartWorkflowExecution beyond it is a LimitExceededFault, a child's
	// start fails with OPEN_WORKFLOWS_LIMIT_EXCEEDED.
	OpenExecutionsPerDomain int
	// HistoryEvents is the most events in one run's history: the run is
	// terminated (cause EVENT_LIMIT_EXCEEDED) rather than pass it.
	HistoryEvents int
	// OpenActivities, OpenTimers and OpenChildren are the most activity
	// tasks, timers and child runs one run has open at once; a decision
	// beyond them fails with its OPEN_…_LIMIT_EXCEEDED cause.
	OpenActivities int
	OpenTimers     int
	OpenChildren   int
	// PollersPerTaskList is the most polls waiting on one task list (of
	// one kind, in one domain) at once, on this node: one more is a
	// LimitExceededFault at once.
	PollersPerTaskList int
}

// DefaultLimits are Amazon SWF's documented quotas.
func DefaultLimits() Limits {
	run := engine.DefaultLimits()
	return Limits{Domains: 100, TypesPerKind: 10000, TagsPerDomain: 50,
		OpenExecutionsPerDomain: 100000, HistoryEvents: run.HistoryEvents,
		OpenActivities: run.OpenActivities, OpenTimers: run.OpenTimers, OpenChildren: run.OpenChildren,
		PollersPerTaskList: 1000}
}

// orDefault replaces the limits that are not positive with SWF's quotas.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	for _, f := range []struct{ v, def *int }{
		{&l.Domains, &d.Domains}, {&l.TypesPerKind, &d.TypesPerKind}, {&l.TagsPerDomain, &d.TagsPerDomain},
		{&l.OpenExecutionsPerDomain, &d.OpenExecutionsPerDomain}, {&l.HistoryEvents, &d.HistoryEvents},
		{&l.OpenActivities, &d.OpenActivities}, {&l.OpenTimers, &d.OpenTimers}, {&l.OpenChildren, &d.OpenChildren},
		{&l.PollersPerTaskList, &d.PollersPerTaskList},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return l
}

// run returns the limits of one run, which it keeps from its start (a run
// continued as new, or a child, takes its predecessor's or parent's).
func (l Limits) run() engine.Limits {
	return engine.Limits{OpenActivities: l.OpenActivities, OpenTimers: l.OpenTimers,
		OpenChildren: l.OpenChildren, HistoryEvents: l.HistoryEvents}
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
	// SweepInterval is how often closed runs past their domain's
	// retention are deleted (0: DefaultSweepInterval); SweepBatch is how
	// many runs one deletion transaction takes at most (0:
	// DefaultSweepBatch). See retention.go.
	SweepInterval time.Duration
	SweepBatch    int
	// HistoryCacheBytes bounds the history cache (historycache.go): 0
	// is DefaultHistoryCacheBytes, a negative number keeps none.
	HistoryCacheBytes int
	// Observer hears of runs started and closed, heartbeats and tasks
	// timed out; PollObserver of the polls waiting, TimerObserver of the
	// durable timers fired (see observe.go). nil: nobody.
	Observer      Observer
	PollObserver  matching.Observer
	TimerObserver timer.Observer
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
	obs          Observer
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
	// histories caches the encoded events of runs this node wrote or
	// read last.
	histories *historyCache
	// runLocks queue this node's commands on one run (see runLocks).
	runLocks runLocks
	// sweeping is held by a retention sweep, so that this node runs one
	// at a time (see Sweep).
	sweeping sync.Mutex
	// domainsSeen holds the names of the domains known to exist (see
	// domainExists).
	domainsSeen sync.Map
	// pollers records who polled which task list lately, for the console
	// (see console.go).
	pollers matching.Seen
	// nodes tells other nodes sharing the store of tasks queued here and
	// hears of theirs; nil on a store one node owns (see nodes.go).
	nodes *nodes
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
	cfg.Limits = cfg.Limits.orDefault()
	if cfg.Observer == nil {
		cfg.Observer = noObserver{}
	}
	s := &Service{
		cfg:          cfg,
		store:        st,
		clock:        clk,
		logger:       logger,
		obs:          cfg.Observer,
		pages:        &pageTokens{secret: pageSecret, clock: clk},
		tokens:       tasktoken.NewSigner(taskSecret),
		matcher:      matching.New(clk, cfg.PollRecheck, matching.PollerLimit{Max: cfg.Limits.PollersPerTaskList, Refuse: tooManyPollers}),
		longPoll:     cfg.LongPoll,
		engineLimits: cfg.Limits.run(),
		runs:         newRunCache(),
		histories:    newHistoryCache(historyCacheLimit(cfg.HistoryCacheBytes)),
	}
	s.matcher.Observe(cfg.PollObserver)
	if l, ok := st.(store.TaskListener); ok {
		s.nodes = newNodes(l)
	}
	s.timers = timer.New(st, clk, s.FireTimer, logger)
	s.timers.Observe(cfg.TimerObserver)
	return s, nil
}

// Run fires durable timers, sweeps away closed runs past their domain's
// retention (see retention.go), and listens for the tasks other nodes
// queue, until ctx ends.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.sweepLoop(ctx) })
	if s.nodes != nil {
		wg.Go(func() { s.nodes.run(ctx, s.matcher, s.logger) })
	}
	s.timers.Run(ctx)
	wg.Wait()
}

// StopPolls ends every waiting poll at once, empty-handed, so that a
// shutdown need not wait out the long polls.
func (s *Service) StopPolls() { s.matcher.Close() }
