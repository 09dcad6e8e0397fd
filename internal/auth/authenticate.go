package auth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
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
		var body []byte
		if r.Body != nil {
			var err error
			body, err = io.ReadAll(r.Body)
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				awsjson.WriteFault(w, awsjson.TooLarge(-1, tooBig.Limit))
				return
			case err != nil:
				awsjson.WriteError(w, swfapi.CodeSerialization, "Could not read the request body")
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
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), who)))
	})
}
