// Package server is openswf's HTTP front: the ordered middleware (request id,
// panic recovery, logging) in front of the AWS JSON handler, the listener, and
// graceful shutdown.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/openswf/openswf/internal/awsjson"
	"github.com/openswf/openswf/internal/swfapi"
)

// Config is the server's part of openswf's configuration.
type Config struct {
	// Listen is the TCP address to listen on; port 0 picks a free port.
	Listen string
	// MaxBodyBytes bounds a request body (0: SWF's 1 MiB).
	MaxBodyBytes int64
	// ShutdownTimeout bounds how long Shutdown waits for requests in flight.
	ShutdownTimeout time.Duration
}

// Server serves the SWF API over HTTP.
type Server struct {
	cfg    Config
	logger *slog.Logger
	http   *http.Server
	ln     net.Listener
}

type requestIDKey struct{}

// RequestID returns the id the server gave the request.
func RequestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

// New listens on cfg.Listen and returns a server of api, not yet serving.
func New(cfg Config, api swfapi.API, logger *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	s := &Server{cfg: cfg, logger: logger, ln: ln}
	h := &awsjson.Handler{API: api, MaxBodyBytes: cfg.MaxBodyBytes, Logger: logger, RequestID: RequestID}
	// The middleware, outermost first: every request gets an id before
	// anything can fail, and a panic anywhere below becomes an internal
	// failure answered with that id rather than a dropped connection.
	var handler http.Handler = h
	handler = s.recoverPanics(handler)
	handler = withRequestID(handler)
	s.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Serve answers requests until Shutdown; it then returns nil.
func (s *Server) Serve() error {
	err := s.http.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and waits for requests in flight to
// finish, up to the configured timeout.
func (s *Server) Shutdown(ctx context.Context) error {
	timeout := s.cfg.ShutdownTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return s.http.Shutdown(ctx)
}

func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:4]) + "-" + hex.EncodeToString(b[4:6]) + "-" + hex.EncodeToString(b[6:8]) + "-" + hex.EncodeToString(b[8:10]) + "-" + hex.EncodeToString(b[10:])
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				id := RequestID(r)
				s.logger.Error("panic serving a request", "request_id", id, "panic", v, "stack", string(debug.Stack()))
				w.Header().Set("x-amzn-RequestId", id)
				awsjson.WriteError(w, swfapi.CodeInternalFailure, "An internal error occurred (request id "+id+")")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
