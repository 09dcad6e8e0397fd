// Package swftest starts a real openswf server on a loopback port for tests,
// over a store in a temporary directory, and hands back an aws-sdk-go-v2 SWF
// client pointed at it.
package swftest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"

	"github.com/openswf/openswf/internal/awsjson"
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/sdkhttp"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/dsn"
	"github.com/openswf/openswf/internal/swfapi"
)

// Region and AccountID are those of every test server.
const (
	Region    = "us-east-1"
	AccountID = "123456789012"
)

// DefaultStore, when a test package sets it (in its TestMain), gives the
// store of every server started without one: it is how a package runs its
// integration tests on PostgreSQL as well as on SQLite.
var DefaultStore func(t testing.TB) string

// Options change how a test server is built.
type Options struct {
	// Store is the store spec (as for openswf --store); empty means a fresh
	// SQLite file in a temporary directory.
	Store string
	// Clock is the server's clock; nil means a fake clock at a fixed time.
	Clock clock.Clock
	// Limits replace SWF's quotas when set.
	Limits *service.Limits
	// MaxBodyBytes bounds request bodies (0: 1 MiB).
	MaxBodyBytes int64
	// LongPoll is how long polls wait, on the server's clock (0: 50 s).
	LongPoll time.Duration
	// Interceptors run around every operation, first outermost.
	Interceptors []swfapi.Interceptor
	// HistoryCacheBytes bounds the service's history cache (0: the
	// service's default; negative: none).
	HistoryCacheBytes int
	// Listen is the address to listen on (empty: a free loopback port).
	// A test restarting a server gives the stopped one's address, taken
	// from its URL, so that clients find it again.
	Listen string
}

// Server is a running openswf test server.
type Server struct {
	// Service is the server's service, for what a test needs of it
	// beside the API (TokenDomain).
	Service *service.Service
	// URL is the server's endpoint, http://127.0.0.1:PORT.
	URL string
	// Client is an SWF client of the server.
	Client *swf.Client
	// Store is the spec of the server's store, to restart on it.
	Store string
	// Clock is the server's clock.
	Clock clock.Clock

	srv        *server.Server
	svc        *service.Service
	st         store.Store
	served     chan error
	stopTimers context.CancelFunc
	timersDone chan struct{}
	stopped    bool
}

// Start starts a server and stops it when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Store == "" && DefaultStore != nil {
		opts.Store = DefaultStore(t)
	}
	if opts.Store == "" {
		opts.Store = "sqlite:" + filepath.Join(t.TempDir(), "openswf.db")
	}
	if opts.Clock == nil {
		opts.Clock = clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	}
	limits := service.DefaultLimits()
	if opts.Limits != nil {
		limits = *opts.Limits
	}
	logger := slog.New(slog.NewTextHandler(logOutput(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	st, err := dsn.Open(ctx, opts.Store, logger)
	if err != nil {
		t.Fatalf("opening store %s: %v", opts.Store, err)
	}
	svc, err := service.New(ctx, service.Config{Region: Region, AccountID: AccountID, Limits: limits, LongPoll: opts.LongPoll, PollRecheck: time.Hour,
		HistoryCacheBytes: opts.HistoryCacheBytes}, st, opts.Clock, logger)
	if err != nil {
		st.Close()
		t.Fatalf("starting the service: %v", err)
	}
	api := &awsjson.Handler{Invoke: swfapi.Chain(svc, opts.Interceptors...), Logger: logger, RequestID: server.RequestID}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	srv, err := server.New(server.Config{Listen: opts.Listen, Middleware: []server.Middleware{
		server.RequestIDs, server.RecoverPanics(logger), server.LimitBody(opts.MaxBodyBytes),
	}}, api, logger)
	if err != nil {
		st.Close()
		t.Fatalf("starting the server: %v", err)
	}
	s := &Server{Service: svc, URL: "http://" + srv.Addr(), Store: opts.Store, Clock: opts.Clock, srv: srv, svc: svc, st: st, served: make(chan error, 1), timersDone: make(chan struct{})}
	s.Client = NewClient(s.URL)
	timersCtx, stopTimers := context.WithCancel(context.Background())
	s.stopTimers = stopTimers
	go func() {
		defer close(s.timersDone)
		svc.Run(timersCtx)
	}()
	go func() { s.served <- srv.Serve() }()
	t.Cleanup(func() { s.Stop(t) })
	return s
}

// Stop shuts the server down and closes its store, as a SIGTERM does. It is
// safe to call more than once.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if s.stopped {
		return
	}
	s.stopped = true
	s.svc.StopPolls()
	if err := s.srv.Shutdown(context.Background()); err != nil {
		t.Errorf("shutting down: %v", err)
	}
	if err := <-s.served; err != nil {
		t.Errorf("serving: %v", err)
	}
	s.stopTimers()
	<-s.timersDone
	if err := s.st.Close(); err != nil {
		t.Errorf("closing the store: %v", err)
	}
}

// NewClient returns an SWF client of the endpoint at url, with static
// credentials and no retries, so that every answer reaches the test as sent.
func NewClient(url string) *swf.Client {
	cfg := aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDOPENSWFTEST", "openswf-test-secret", ""),
		// Large answers (history pages) must not lose their connection
		// to the SDK closing request bodies early (see sdkhttp).
		HTTPClient: &http.Client{Transport: sdkhttp.OwnBodies(http.DefaultTransport)},
	}
	return swf.NewFromConfig(cfg, func(o *swf.Options) {
		o.BaseEndpoint = aws.String(url)
		o.Retryer = aws.NopRetryer{}
	})
}

// logOutput sends server logs to stderr when OPENSWF_TEST_LOG is set, and
// nowhere otherwise.
func logOutput() io.Writer {
	if os.Getenv("OPENSWF_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}
