// Package throttle rate-limits the SWF API per account, as Amazon SWF does.
//
// SWF gives every account, in every Region, one token bucket per API
// operation and one per rate-limited decision type. A call takes a token
// from its operation's bucket or is answered ThrottlingException; each
// decision of a RespondDecisionTaskCompleted batch whose type is limited
// takes a token from its type's bucket or fails on its own, with the
// decision's RATE_EXCEEDED cause recorded in the history, while the rest of
// the batch goes on. Buckets refill continuously at their rate and hold at
// most their burst.
//
// Not modelled here: SWF's per-workflow-execution buckets (for
// GetWorkflowExecutionHistory, SignalWorkflowExecution,
// RecordActivityTaskHeartbeat and RequestCancelWorkflowExecution) and its
// 2,000 tasks per second per task list, which need the execution or the
// task list and so belong to the engine, not to an interceptor.
package throttle

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/openswf/openswf/internal/gate"
	"github.com/openswf/openswf/internal/swfapi"
)

// Quota is one token bucket: it holds at most Burst tokens and gains Rate
// tokens per second.
type Quota struct {
	Burst int
	Rate  float64
}

// Settings are every bucket of one account: APIs by operation name (such as
// "RecordActivityTaskHeartbeat") and Decisions by decision type (such as
// "ScheduleActivityTask"). An operation or decision type missing from its
// map is not throttled.
type Settings struct {
	APIs      map[string]Quota
	Decisions map[string]Quota
}

// Limiter holds the buckets of every account: one per (account, operation)
// and one per (account, decision type). It is safe for concurrent use.
type Limiter struct {
	now       func() time.Time
	apis      map[string]Quota
	decisions map[swfapi.DecisionType]Quota

	// accounts maps an account to its buckets. It is copied on write and
	// read without a lock: a call looks its account up on every request,
	// while a new account appears a handful of times in the life of a
	// server. mu serialises the writers only.
	accounts atomic.Pointer[map[string]*buckets]
	mu       sync.Mutex
}

// buckets are one account's. Both maps are filled when the account is first
// seen and only read afterwards, so they need no lock of their own; each
// rate.Limiter has its own.
type buckets struct {
	apis      map[string]*rate.Limiter
	decisions map[swfapi.DecisionType]*rate.Limiter
}

// New returns a Limiter whose every account starts with full buckets as s
// describes. now is the clock the buckets refill by (nil: time.Now); tests
// pass a fake one to be exact. s is copied, so changing it later changes
// nothing. New panics when s.Validate fails: Defaults and Load only return
// valid settings, so invalid ones are a mistake of the program, and a
// bucket of zero tokens would refuse every call without saying why.
func New(s Settings, now func() time.Time) *Limiter {
	if err := s.Validate(); err != nil {
		panic("throttle.New: " + err.Error())
	}
	if now == nil {
		now = time.Now
	}
	l := &Limiter{
		now:       now,
		apis:      make(map[string]Quota, len(s.APIs)),
		decisions: make(map[swfapi.DecisionType]Quota, len(s.Decisions)),
	}
	for op, q := range s.APIs {
		l.apis[op] = q
	}
	for t, q := range s.Decisions {
		l.decisions[swfapi.DecisionType(t)] = q
	}
	l.accounts.Store(&map[string]*buckets{})
	return l
}

// Interceptor returns the swfapi.Interceptor that throttles each call
// against the buckets of the account that account(ctx) names (the account
// of the authenticated principal).
//
// A call over its operation's quota is answered ThrottlingException "Rate
// exceeded" and never reaches next. The token is taken before the call, not
// after: next is where the call changes state, and SWF's rule is that a
// throttled call changes nothing, so the decision must be made while
// nothing has happened yet. The price is that a call that goes on to fail
// (an unknown domain, say) has still used its token: the buckets count
// requests, not successes.
//
// In a RespondDecisionTaskCompleted call that passes, each decision in turn
// whose type has a RATE_EXCEEDED cause takes a token from its type's bucket,
// and one that finds the bucket empty is refused with that cause through
// package gate, for the engine to record as its failure. A decision that an
// earlier interceptor already refused (policy, say) takes no token: it will
// not happen, so it must not count against the ones that will.
func (l *Limiter) Interceptor(account func(ctx context.Context) string) swfapi.Interceptor {
	return func(ctx context.Context, op string, in any, next swfapi.Handler) (any, error) {
		b := l.bucketsOf(account(ctx))
		now := l.now()
		if lim := b.apis[op]; lim != nil && !lim.AllowN(now, 1) {
			return nil, swfapi.NewFault(swfapi.CodeThrottling, "Rate exceeded")
		}
		if rd, ok := in.(*swfapi.RespondDecisionTaskCompletedInput); ok {
			ctx = b.takeDecisions(ctx, rd.Decisions, now)
		}
		return next(ctx, op, in)
	}
}

// takeDecisions takes a token for each decision of the batch that its type's
// bucket limits and is not already refused, refusing those that find their
// bucket empty. Decisions are taken in batch order, so when a bucket runs
// dry it is the last decisions of that type that fail, as a decider would
// expect.
func (b *buckets) takeDecisions(ctx context.Context, ds []swfapi.Decision, now time.Time) context.Context {
	for i := range ds {
		t := ds[i].DecisionType
		if t == nil {
			continue // validation rejects this; nothing to count
		}
		lim := b.decisions[*t]
		if lim == nil || gate.Cause(ctx, i) != "" {
			continue
		}
		if !lim.AllowN(now, 1) {
			ctx = gate.Refuse(ctx, i, rateExceededCause(*t))
		}
	}
	return ctx
}

// bucketsOf returns the buckets of account, creating them full on its first
// call.
func (l *Limiter) bucketsOf(account string) *buckets {
	if b, ok := (*l.accounts.Load())[account]; ok {
		return b
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	old := *l.accounts.Load()
	if b, ok := old[account]; ok {
		return b // another call added it while we waited
	}
	b := l.newBuckets()
	m := make(map[string]*buckets, len(old)+1)
	for a, ob := range old {
		m[a] = ob
	}
	m[account] = b
	l.accounts.Store(&m)
	return b
}

func (l *Limiter) newBuckets() *buckets {
	b := &buckets{
		apis:      make(map[string]*rate.Limiter, len(l.apis)),
		decisions: make(map[swfapi.DecisionType]*rate.Limiter, len(l.decisions)),
	}
	for op, q := range l.apis {
		b.apis[op] = rate.NewLimiter(rate.Limit(q.Rate), q.Burst)
	}
	for t, q := range l.decisions {
		b.decisions[t] = rate.NewLimiter(rate.Limit(q.Rate), q.Burst)
	}
	return b
}

// Validate reports a problem of s, naming its place as a settings file
// would ("apis.TagResource: ..."): an operation that is not one of the
// model's, a decision type that SWF does not rate-limit (the model gives it
// no RATE_EXCEEDED cause), or a burst or rate that is not a positive
// number. Names are checked in sorted order, so the same settings always
// give the same error.
func (s Settings) Validate() error {
	ops := operationNames()
	for _, op := range slices.Sorted(maps.Keys(s.APIs)) {
		if !ops[op] {
			return fmt.Errorf("apis.%s: not an operation of SWF", op)
		}
		if err := s.APIs[op].validate(); err != nil {
			return fmt.Errorf("apis.%s.%w", op, err)
		}
	}
	for _, t := range slices.Sorted(maps.Keys(s.Decisions)) {
		if err := checkDecisionType(t); err != nil {
			return fmt.Errorf("decisions.%s: %w", t, err)
		}
		if err := s.Decisions[t].validate(); err != nil {
			return fmt.Errorf("decisions.%s.%w", t, err)
		}
	}
	return nil
}

// validate returns an error that starts with the member at fault, for the
// caller to prefix with the quota's place.
func (q Quota) validate() error {
	if q.Burst <= 0 {
		return fmt.Errorf("burst: must be positive, not %d", q.Burst)
	}
	// rate.Limiter takes an infinite rate to mean "no limit at all", which
	// is not a quota; the negated comparison also catches NaN.
	if !(q.Rate > 0) || math.IsInf(q.Rate, 1) {
		return fmt.Errorf("rate: must be a positive number, not %v", q.Rate)
	}
	return nil
}

// operationNames is the set of the model's operations.
func operationNames() map[string]bool {
	ops := swfapi.Operations()
	m := make(map[string]bool, len(ops))
	for _, op := range ops {
		m[op.Name] = true
	}
	return m
}

// checkDecisionType says why t cannot have a bucket, or nil when it can.
func checkDecisionType(t string) error {
	dt := swfapi.DecisionType(t)
	if !dt.Valid() {
		return fmt.Errorf("not a decision type of SWF")
	}
	if rateExceededCause(dt) == "" {
		return fmt.Errorf("SWF does not rate-limit %s decisions (the model gives them no RATE_EXCEEDED cause)", t)
	}
	return nil
}
