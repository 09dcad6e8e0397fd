// Package server is openswf's HTTP front: the listener (plain or TLS), the
// ordered middleware every request passes, the routes besides the SWF API,
// and graceful shutdown. What the middleware and routes are is decided by
// whoever builds the server (cmd/openswf), in one visible list.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Middleware wraps a handler with one concern (request ids, panics, limits,
// authentication).
type Middleware func(http.Handler) http.Handler

// Wrap returns h inside mws, the first outermost: a request meets mws[0]
// first.
func Wrap(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Route is a handler for requests whose path matches Pattern (a
// net/http.ServeMux pattern), served beside the SWF API.
type Route struct {
	Pattern string
	Handler http.Handler
}

// Config is the server's part of openswf's configuration.
type Config struct {
	// Listen is the TCP address to listen on; port 0 picks a free port.
	Listen string
	// ShutdownTimeout bounds how long Shutdown waits for requests in flight.
	ShutdownTimeout time.Duration
	// TLSCert and TLSKey are PEM files; when both are set the server speaks
	// HTTPS (HTTP/1.1 and HTTP/2), else plain HTTP/1.1.
	TLSCert, TLSKey string
	// ReadHeaderTimeout bounds how long a client may take to send a
	// request's headers (0: 10 s), and IdleTimeout how long a kept-alive
	// connection may wait for its next request (0: 2 min). Bodies and
	// answers are bounded per request by the Deadlines middleware, since a
	// long poll must outlive any server-wide limit.
	ReadHeaderTimeout, IdleTimeout time.Duration
	// Middleware wraps every request, the API's and the routes', first
	// outermost.
	Middleware []Middleware
	// Routes are served beside the API, which answers every other path.
	Routes []Route
}

// Server serves the SWF API over HTTP.
type Server struct {
	cfg    Config
	logger *slog.Logger
	http   *http.Server
	ln     net.Listener
	cert   atomic.Pointer[tls.Certificate]
	// tls is set when the server speaks HTTPS. (http.Server fills its own
	// TLSConfig in while serving, so that is no sign of it.)
	tls bool
}

// New listens on cfg.Listen and returns a server of api, not yet serving.
func New(cfg Config, api http.Handler, logger *slog.Logger) (*Server, error) {
	s := &Server{cfg: cfg, logger: logger, tls: cfg.TLSCert != "" || cfg.TLSKey != ""}
	if s.tls {
		if err := s.ReloadCertificate(); err != nil {
			return nil, err
		}
	}
	mux := http.NewServeMux()
	for _, r := range cfg.Routes {
		mux.Handle(r.Pattern, r.Handler)
	}
	mux.Handle("/", api)
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = 10 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 2 * time.Minute
	}
	s.http = &http.Server{
		Handler:           Wrap(mux, cfg.Middleware...),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		// Headers beyond 64 KiB are no SWF client's: refuse them early.
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	if s.tls {
		s.http.TLSConfig = &tls.Config{
			MinVersion: tls.VersionTLS12,
			NextProtos: []string{"h2", "http/1.1"},
			GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
				return s.cert.Load(), nil
			},
		}
	}
	s.ln = ln
	return s, nil
}

// TLS reports whether the server speaks HTTPS.
func (s *Server) TLS() bool { return s.tls }

// ReloadCertificate reads the TLS certificate and key again (on SIGHUP, so a
// renewed certificate is served without a restart); on failure the previous
// one stays in use.
func (s *Server) ReloadCertificate() error {
	if s.cfg.TLSCert == "" || s.cfg.TLSKey == "" {
		if s.cfg.TLSCert != "" || s.cfg.TLSKey != "" {
			return errors.New("TLS needs both a certificate and a key file")
		}
		return nil
	}
	cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
	if err != nil {
		return fmt.Errorf("loading the TLS certificate: %w", err)
	}
	s.cert.Store(&cert)
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the server's base URL, http:// or https://.
func (s *Server) URL() string {
	if s.TLS() {
		return "https://" + s.Addr()
	}
	return "http://" + s.Addr()
}

// Serve answers requests until Shutdown; it then returns nil.
func (s *Server) Serve() error {
	var err error
	if s.tls {
		// The certificate comes from TLSConfig.GetCertificate; ServeTLS
		// also turns HTTP/2 on.
		err = s.http.ServeTLS(s.ln, "", "")
	} else {
		err = s.http.Serve(s.ln)
	}
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
