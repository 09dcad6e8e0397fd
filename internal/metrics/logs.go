package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/server"
)

// RequestLog returns HTTP middleware that logs one line per SWF request
// at debug level: its id, operation, principal, status (and error code)
// and duration. outer goes before authentication, so that refused
// requests are logged too; inner goes after it and tells outer who the
// principal is. With debug off each costs one Enabled check: nothing is
// wrapped or allocated.
func RequestLog(logger *slog.Logger) (outer, inner server.Middleware) {
	outer = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !logger.Enabled(r.Context(), slog.LevelDebug) || probe(r) {
				next.ServeHTTP(w, r)
				return
			}
			began := time.Now()
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			who := new(string)
			next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), principalSlot{}, who)))
			op := r.Header.Get("X-Amz-Target")
			if i := strings.LastIndexByte(op, '.'); i >= 0 {
				op = op[i+1:]
			}
			attrs := []slog.Attr{
				slog.String("request_id", server.RequestID(r)),
				slog.String("operation", op),
				slog.String("principal", *who),
				slog.Int("status", sw.status),
				slog.Duration("duration", time.Since(began)),
			}
			if v := w.Header()[errorTypeHeader]; len(v) > 0 {
				code := v[0]
				if i := strings.LastIndexByte(code, '#'); i >= 0 {
					code = code[i+1:]
				}
				attrs = append(attrs, slog.String("error", code))
			}
			logger.LogAttrs(context.Background(), slog.LevelDebug, "request", attrs...)
		})
	}
	inner = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if logger.Enabled(r.Context(), slog.LevelDebug) {
				if who, ok := r.Context().Value(principalSlot{}).(*string); ok {
					if p := auth.PrincipalFrom(r.Context()); p != nil {
						*who = p.Name
					}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	return outer, inner
}

// principalSlot keys the place where inner leaves the principal's name
// for outer.
type principalSlot struct{}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// probe reports a request of a health probe or a scrape, which come every
// few seconds and would drown the log.
func probe(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	switch r.URL.Path {
	case PathHealthz, PathReadyz, PathMetrics:
		return true
	}
	return false
}
