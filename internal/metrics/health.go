package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/store"
)

// Pinger is the store as readiness sees it.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Health answers /healthz and /readyz. Both are cheap enough to poll every
// second: /healthz does nothing, /readyz one trivial store query.
type Health struct {
	store   Pinger
	timeout time.Duration
	// stopping is set when shutdown begins: a node going away should get
	// no new traffic, though it still answers what is in flight.
	stopping atomic.Bool
}

// NewHealth returns the health endpoints over st. timeout bounds the
// store's ping (0: 2 s), so that a hung database makes /readyz fail rather
// than hang.
func NewHealth(st Pinger, timeout time.Duration) *Health {
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	return &Health{store: st, timeout: timeout}
}

// ShuttingDown makes /readyz fail from now on.
func (h *Health) ShuttingDown() { h.stopping.Store(true) }

// Routes are /healthz and /readyz, to serve beside the API.
func (h *Health) Routes() []server.Route {
	return []server.Route{
		{Pattern: "GET " + PathHealthz, Handler: http.HandlerFunc(h.healthz)},
		{Pattern: "GET " + PathReadyz, Handler: http.HandlerFunc(h.readyz)},
	}
}

type healthBody struct {
	Status string `json:"status"`
	// Check names the check that failed: "shutdown", "store" or
	// "schema".
	Check string `json:"check,omitempty"`
	Error string `json:"error,omitempty"`
}

// healthz says the process is up and serving.
func (h *Health) healthz(w http.ResponseWriter, _ *http.Request) {
	writeHealth(w, http.StatusOK, healthBody{Status: "ok"})
}

// readyz says whether this node should get traffic: not shutting down,
// its store answering, its schema current.
func (h *Health) readyz(w http.ResponseWriter, r *http.Request) {
	if h.stopping.Load() {
		writeHealth(w, http.StatusServiceUnavailable, healthBody{Status: "unavailable", Check: "shutdown", Error: "shutting down"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.timeout)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		check := "store"
		if errors.Is(err, store.ErrSchema) {
			check = "schema"
		}
		writeHealth(w, http.StatusServiceUnavailable, healthBody{Status: "unavailable", Check: check, Error: err.Error()})
		return
	}
	writeHealth(w, http.StatusOK, healthBody{Status: "ok"})
}

func writeHealth(w http.ResponseWriter, status int, body healthBody) {
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// Paths served without authentication: load balancers and Prometheus do
// not sign their requests. /metrics shows domain and task-list names (no
// execution, no token); --metrics off removes it.
const (
	PathHealthz = "/healthz"
	PathReadyz  = "/readyz"
	PathMetrics = "/metrics"
)

// SkipAuth returns authenticate except for GET requests of paths (those
// of the routes above that are served), which go straight to their
// handlers.
func SkipAuth(authenticate server.Middleware, paths ...string) server.Middleware {
	return func(next http.Handler) http.Handler {
		checked := authenticate(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && slices.Contains(paths, r.URL.Path) {
				next.ServeHTTP(w, r)
				return
			}
			checked.ServeHTTP(w, r)
		})
	}
}
