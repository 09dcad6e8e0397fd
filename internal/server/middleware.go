package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/awsjson"
	"github.com/openswf/openswf/internal/swfapi"
)

type requestIDKey struct{}

// RequestID returns the id the RequestIDs middleware gave the request.
func RequestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

// requestIDHeader is x-amzn-RequestId as Header.Set would key it.
var requestIDHeader = http.CanonicalHeaderKey("x-amzn-RequestId")

// RequestIDs gives every request an id, in the form AWS uses, echoed in
// x-amzn-RequestId on every answer, so that a client's report and the
// server's log meet. It goes first, so that anything after it can fail
// with the id.
func RequestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		rand.Read(b[:])
		// 8-4-4-4-12 hex digits, as AWS's request ids, in one allocation.
		var t [36]byte
		hex.Encode(t[0:8], b[:4])
		hex.Encode(t[9:13], b[4:6])
		hex.Encode(t[14:18], b[6:8])
		hex.Encode(t[19:23], b[8:10])
		hex.Encode(t[24:36], b[10:])
		t[8], t[13], t[18], t[23] = '-', '-', '-', '-'
		id := string(t[:])
		w.Header()[requestIDHeader] = []string{id}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// RecoverPanics turns a panic anywhere below into an internal failure
// answered with the request's id, rather than a dropped connection.
func RecoverPanics(logger *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					id := RequestID(r)
					logger.Error("panic serving a request", "request_id", id, "panic", v, "stack", string(debug.Stack()))
					awsjson.WriteError(w, swfapi.CodeInternalFailure, "An internal error occurred (request id "+id+")")
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// LimitBody refuses a request whose body is larger than limit bytes: from
// its Content-Length before reading any of it, and otherwise (a chunked
// body) as soon as the reader passes the limit. SWF's limit is 1 MiB.
func LimitBody(limit int64) Middleware {
	if limit <= 0 {
		limit = awsjson.DefaultMaxBodyBytes
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > limit {
				// The connection cannot be reused once a body is left
				// unread; say so rather than drain a megabyte of it.
				w.Header().Set("Connection", "close")
				awsjson.WriteFault(w, awsjson.TooLarge(r.ContentLength, limit))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			next.ServeHTTP(w, r)
		})
	}
}

// Deadlines bounds how long a client may take to send a request's body,
// and how long the server may take to answer it: answer for most calls,
// poll for PollForDecisionTask and PollForActivityTask, which hold the
// request open until a task comes. Per request, not per server, because one
// server-wide write timeout would either cut long polls or let every other
// request hang as long. The deadlines are wall-clock socket deadlines.
func Deadlines(body, answer, poll time.Duration) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rc := http.NewResponseController(w)
			now := time.Now()
			// Errors mean the connection does not support deadlines (a
			// test recorder); there is nothing better to do than go on.
			_ = rc.SetReadDeadline(now.Add(body))
			limit := answer
			if strings.HasPrefix(r.Header.Get("X-Amz-Target"), awsjson.TargetPrefix+"PollFor") {
				limit = poll
			}
			_ = rc.SetWriteDeadline(now.Add(limit))
			next.ServeHTTP(w, r)
		})
	}
}
