package metrics

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/openswf/openswf/internal/sigv4"
	"github.com/openswf/openswf/internal/swfapi"
)

// outcomeOther stands for an error code outside the known set, so that a
// code nobody foresaw cannot grow the label set.
const outcomeOther = "other"

// opMetrics are one operation's series, resolved once, so that a call
// (a heartbeat, thousands a second) costs two map reads and two atomic
// adds rather than a label hash.
type opMetrics struct {
	ok       prometheus.Counter
	duration prometheus.Observer
	// outcomes holds the counters of the error codes, resolved on first
	// use: most operations never see most codes.
	outcomes sync.Map // code → prometheus.Counter
}

// knownCodes are the outcomes a call can have besides ok: the model's
// faults and the protocol's errors.
func knownCodes() map[string]bool {
	codes := map[string]bool{}
	for _, c := range swfapi.ModeledFaults() {
		codes[c] = true
	}
	for _, c := range []string{swfapi.CodeValidation, swfapi.CodeSerialization, swfapi.CodeUnknownOperation,
		swfapi.CodeInternalFailure, swfapi.CodeNotImplemented, swfapi.CodeAccessDenied, swfapi.CodeThrottling,
		swfapi.CodeMissingAuth, swfapi.CodeInvalidSignature, swfapi.CodeRequestTooLarge} {
		codes[c] = true
	}
	return codes
}

func (m *Metrics) resolveOps() map[string]*opMetrics {
	ops := map[string]*opMetrics{}
	for _, op := range swfapi.Operations() {
		ops[op.Name] = &opMetrics{
			ok:       m.requests.WithLabelValues(op.Name, "ok"),
			duration: m.requestDuration.WithLabelValues(op.Name),
		}
	}
	return ops
}

// Interceptor counts and times every SWF call. It goes first (outermost)
// in the chain, so that the calls that authorization denies and
// throttling refuses are counted too, with their own counters.
func (m *Metrics) Interceptor() swfapi.Interceptor {
	codes := knownCodes()
	return func(ctx context.Context, op string, in any, next swfapi.Handler) (any, error) {
		om := m.ops[op]
		if om == nil {
			// Invoke hands on only the model's operations; this is for a
			// chain used some other way.
			return next(ctx, op, in)
		}
		began := time.Now()
		out, err := next(ctx, op, in)
		om.duration.Observe(time.Since(began).Seconds())
		if err == nil {
			om.ok.Inc()
			return out, nil
		}
		code := swfapi.CodeInternalFailure
		var fault *swfapi.Fault
		if errors.As(err, &fault) {
			code = fault.Code
		}
		if !codes[code] {
			code = outcomeOther
		}
		m.outcome(om, op, code).Inc()
		switch code {
		case swfapi.CodeThrottling:
			m.throttled.WithLabelValues(op).Inc()
		case swfapi.CodeOperationNotPermitted:
			m.denied.WithLabelValues(op).Inc()
		}
		return out, err
	}
}

func (m *Metrics) outcome(om *opMetrics, op, code string) prometheus.Counter {
	if c, ok := om.outcomes.Load(code); ok {
		return c.(prometheus.Counter)
	}
	c, _ := om.outcomes.LoadOrStore(code, m.requests.WithLabelValues(op, code))
	return c.(prometheus.Counter)
}

// authCodes are the codes with which signature checking refuses a
// request; the SWF API itself never answers them.
var authCodes = []string{sigv4.CodeMissingAuthenticationToken, sigv4.CodeIncompleteSignature,
	sigv4.CodeInvalidSignature, sigv4.CodeUnrecognizedClient, sigv4.CodeExpiredToken}

// errorTypeHeader is x-amzn-ErrorType in the canonical form net/http keeps
// it under, read directly so that no request pays for canonicalizing it.
const errorTypeHeader = "X-Amzn-Errortype"

// AuthFailures is HTTP middleware, to put just before the authenticating
// one, that counts the requests it refuses by error code. It reads the
// answer's x-amzn-ErrorType, so it adds nothing to a request that passes.
func (m *Metrics) AuthFailures(next http.Handler) http.Handler {
	counters := m.authByCode
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		v := w.Header()[errorTypeHeader]
		if len(v) == 0 {
			return
		}
		code := v[0]
		if i := strings.LastIndexByte(code, '#'); i >= 0 {
			code = code[i+1:]
		}
		if c, ok := counters[code]; ok {
			c.Inc()
		}
	})
}
