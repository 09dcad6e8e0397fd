package auth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/awsjson"
	"github.com/openswf/openswf/internal/sigv4"
	"github.com/openswf/openswf/internal/swfapi"
)

type principalKey struct{}

// WithPrincipal returns ctx carrying the principal a request is under.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal a request is under, nil when it was
// not authenticated.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Anonymous is the middleware of --auth none: every request is under one
// local principal allowed everything.
func Anonymous(p *Principal) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		})
	}
}

// Authenticator checks every request's SigV4 signature against the
// principals in force.
type Authenticator struct {
	Keys     *Keyring
	Verifier *sigv4.Verifier
	// Now is the clock signatures' dates are checked against.
	Now func() time.Time
}

// Middleware authenticates each request before it reaches the API: it
// reads the body (already bounded by the body-limit middleware before it),
// since the signature covers it, checks the signature and hands the body on
// with the principal in the request's context. A request that fails is
// answered as AWS answers it and goes no further.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rb := bodies.Get().(*replayBody)
		var body []byte
		if r.Body != nil {
			var err error
			body, err = readAll(rb.buf[:0], r.Body, r.ContentLength)
			rb.buf = body
			if err != nil {
				// Declared here, not above: errors.As makes it escape,
				// and every request would pay for it.
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					awsjson.WriteFault(w, awsjson.TooLarge(-1, tooBig.Limit))
				} else {
					awsjson.WriteError(w, swfapi.CodeSerialization, "Could not read the request body")
				}
				rb.release()
				return
			}
		}
		keys := a.Keys.Principals()
		var who *Principal
		_, err := a.Verifier.Verify(r, body, a.Now(), func(id string) (sigv4.Credential, bool) {
			p, ok := keys.Lookup(id)
			if !ok {
				return sigv4.Credential{}, false
			}
			who = p
			return sigv4.Credential{SecretAccessKey: p.SecretAccessKey, SessionToken: p.SessionToken, Expires: p.Expires}, true
		})
		if err != nil {
			var serr *sigv4.Error
			if errors.As(err, &serr) {
				awsjson.WriteError(w, serr.Code, serr.Message)
			} else {
				awsjson.WriteError(w, swfapi.CodeInternalFailure, "An internal error occurred")
			}
			rb.release()
			return
		}
		rb.Reset(body)
		r.Body = rb
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), who)))
		// A handler may not read the body once it has returned (net/http's
		// rule), so the buffer can serve the next request. A handler that
		// panicked never gets here, and its buffer is left to the
		// collector.
		rb.release()
	})
}

// replayBody is a request's body, read whole to check its signature,
// handed on to the API as the request's body. It is pooled with its
// buffer: a heartbeat would otherwise allocate both for every request.
type replayBody struct {
	bytes.Reader
	buf []byte
}

// Close does nothing: the body came from memory.
func (*replayBody) Close() error { return nil }

var bodies = sync.Pool{New: func() any { return new(replayBody) }}

// maxPooledBody is the largest buffer kept for reuse. Bodies are mostly
// well under a kilobyte; the rare large one (a decision batch near SWF's
// limits) should not leave every pooled buffer that large.
const maxPooledBody = 64 << 10

// release returns b to the pool, unless its buffer grew too large to keep.
func (b *replayBody) release() {
	b.Reset(nil)
	if cap(b.buf) <= maxPooledBody {
		b.buf = b.buf[:0]
		bodies.Put(b)
	}
}

// readAll is io.ReadAll appending to b, which it first grows to hold the
// size the request declares (when it declares one), so that a known-size
// body is read without growing the buffer on the way.
func readAll(b []byte, r io.Reader, size int64) ([]byte, error) {
	// One more byte than the body lets the read that finds EOF happen
	// without growing the buffer; a size above the largest pooled body is
	// not trusted to size the buffer ahead of the bytes themselves.
	want := 512
	if size >= 0 && size < maxPooledBody {
		want = max(want, int(size)+1)
	}
	b = slices.Grow(b[:0], want)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
