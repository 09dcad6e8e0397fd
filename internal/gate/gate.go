// Package gate carries what the interceptors in front of the service decided
// about the single decisions of one RespondDecisionTaskCompleted call.
//
// SWF authorizes and rate-limits each decision of a batch on its own: a
// decision the caller may not make, or one over its rate, is not a fault of
// the call but a *Failed event in the history (OPERATION_NOT_PERMITTED, or
// the decision's RATE_EXCEEDED cause), and the rest of the batch goes on.
// The interceptors know the principal and the rates; the engine records the
// events. A Refusals value, put in the call's context by the first
// interceptor that refuses something, is how the one tells the other.
package gate

import (
	"context"
	"sync"
)

// Refusals maps the index of a decision in its batch to the cause its
// failure event records. The first refusal of a decision wins: a decision
// denied by policy is not also counted against a rate.
type Refusals struct {
	mu     sync.Mutex
	causes map[int]string
}

type key struct{}

// Refuse records that decision i of the call's batch fails with cause. It
// returns the context to pass on, which carries the refusals.
func Refuse(ctx context.Context, i int, cause string) context.Context {
	r, _ := ctx.Value(key{}).(*Refusals)
	if r == nil {
		r = &Refusals{}
		ctx = context.WithValue(ctx, key{}, r)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.causes == nil {
		r.causes = make(map[int]string)
	}
	if _, ok := r.causes[i]; !ok {
		r.causes[i] = cause
	}
	return ctx
}

// Cause returns the cause decision i of the call's batch was refused with,
// or "" when nothing refused it.
func Cause(ctx context.Context, i int) string {
	r, _ := ctx.Value(key{}).(*Refusals)
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.causes[i]
}

// All returns every refusal of the call's batch by decision index, nil when
// there is none.
func All(ctx context.Context) map[int]string {
	r, _ := ctx.Value(key{}).(*Refusals)
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.causes) == 0 {
		return nil
	}
	out := make(map[int]string, len(r.causes))
	for i, c := range r.causes {
		out[i] = c
	}
	return out
}
