// Package metrics exposes openswf's metrics in Prometheus' text format, from
// a registry of its own (never the client library's global one). What is
// measured reaches it three ways, none through package state:
//
//   - the interceptor around every SWF call (requests by operation and
//     outcome, latency, throttled and denied calls), and an HTTP middleware
//     for the requests that authentication refuses before any call;
//   - small observer interfaces that the emitting packages declare and
//     Metrics implements: service.Observer (runs started and closed,
//     heartbeats, task timeouts), matching.Observer (polls waiting),
//     timer.Observer (timers due and fired, lateness) and
//     store.CommitObserver (commit latency, batch sizes, fsync time);
//   - a collector that asks the store at scrape time (open executions per
//     domain, task-list backlogs and the age of their oldest task).
//
// Label values stay bounded: operations and fault codes of the model,
// domains (bounded by the domain limit), close statuses, task kinds, and
// task lists with waiting tasks up to a cap; never an execution or a token.
//
// The package also answers the probes, /healthz and /readyz (health.go), and
// writes the per-request debug log line (logs.go).
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/timer"
)

const namespace = "openswf"

// Request latency buckets, in seconds: from a heartbeat's fraction of a
// millisecond to a long poll's full minute, so one histogram serves both.
var requestBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 75}

// Store latency buckets, in seconds: commits and fsyncs take from tens of
// microseconds (SQLite in the page cache) to a slow disk's tenths.
var storeBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// Metrics is openswf's registry and the collectors in it. Its methods are
// safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests        *prometheus.CounterVec   // operation, outcome
	requestDuration *prometheus.HistogramVec // operation
	throttled       *prometheus.CounterVec   // operation
	denied          *prometheus.CounterVec   // operation
	authFailures    *prometheus.CounterVec   // code
	authByCode      map[string]prometheus.Counter
	ops             map[string]*opMetrics // built once: the per-call path only reads it

	heartbeats     *prometheus.CounterVec // domain
	heartbeatsBy   counterCache           // domain → its child of heartbeats
	started        *prometheus.CounterVec // domain
	closed         *prometheus.CounterVec // domain, close_status
	timedOut       *prometheus.CounterVec // domain, kind
	pollsWaiting   *prometheus.GaugeVec   // kind
	pollsByKind    map[store.TaskKind]prometheus.Gauge
	timersDue      prometheus.Gauge
	timersFired    prometheus.Counter
	timerLateness  prometheus.Histogram
	commitDuration prometheus.Histogram
	batchWrites    prometheus.Histogram
	fsyncDuration  prometheus.Histogram
}

// Options are what New needs besides its own defaults.
type Options struct {
	// Store, when not nil, is asked at each scrape for open executions
	// and backlogs; Clock dates the backlogs' ages (nil: the real clock).
	Store StoreReader
	Clock clock.Clock
	// ScrapeTimeout bounds the store's queries of one scrape (0: 5 s).
	ScrapeTimeout time.Duration
	// MaxTaskLists caps the task lists reported one by one (0: 500);
	// the rest are summed under the task list "(other)".
	MaxTaskLists int
	// Errorf reports a failed scrape-time query (nil: dropped).
	Errorf func(msg string, err error)
}

// New returns the metrics of one openswf process, registered in a registry
// of their own with the Go runtime's and the process's collectors.
func New(opts Options) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{reg: reg}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "requests_total",
		Help: "SWF calls answered, by operation and outcome (ok, or the error code answered)."}, []string{"operation", "outcome"})
	m.requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "request_duration_seconds",
		Help: "Time to answer an SWF call, long polls included, by operation.", Buckets: requestBuckets}, []string{"operation"})
	m.throttled = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "requests_throttled_total",
		Help: "SWF calls refused with ThrottlingException, by operation."}, []string{"operation"})
	m.denied = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "requests_denied_total",
		Help: "SWF calls refused with OperationNotPermittedFault, by operation."}, []string{"operation"})
	m.authFailures = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "auth_failures_total",
		Help: "Requests refused by signature checking before any call, by error code."}, []string{"code"})
	m.heartbeats = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "activity_heartbeats_total",
		Help: "Activity heartbeats recorded, by domain."}, []string{"domain"})
	m.started = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "executions_started_total",
		Help: "Workflow executions started (children and continue-as-new included), by domain."}, []string{"domain"})
	m.closed = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "executions_closed_total",
		Help: "Workflow executions closed, by domain and close status."}, []string{"domain", "close_status"})
	m.timedOut = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "tasks_timed_out_total",
		Help: "Decision and activity tasks timed out, by domain and kind."}, []string{"domain", "kind"})
	m.pollsWaiting = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "polls_waiting",
		Help: "Long polls waiting for a task on this node, by kind."}, []string{"kind"})
	m.pollsByKind = map[store.TaskKind]prometheus.Gauge{
		store.DecisionTask: m.pollsWaiting.WithLabelValues(string(store.DecisionTask)),
		store.ActivityTask: m.pollsWaiting.WithLabelValues(string(store.ActivityTask)),
	}
	m.timersDue = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "timers_due",
		Help: "Durable timers due when the timer loop last looked (at most one batch)."})
	m.timersFired = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "timers_fired_total",
		Help: "Durable timers fired (user timers, timeouts and owed work between runs)."})
	m.timerLateness = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "timer_lateness_seconds",
		Help: "How long after its due time a durable timer was fired.", Buckets: []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}})
	m.commitDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "store_commit_duration_seconds",
		Help: "Write transactions, from their beginning to the end of their commit.", Buckets: storeBuckets})
	m.batchWrites = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "store_batch_writes",
		Help: "Write requests per committed transaction (SQLite's group commit; 1 on PostgreSQL).", Buckets: []float64{1, 2, 4, 8, 16, 32, 64}})
	m.fsyncDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "store_fsync_duration_seconds",
		Help: "fsyncs of SQLite's write-ahead log.", Buckets: storeBuckets})

	reg.MustRegister(m.requests, m.requestDuration, m.throttled, m.denied, m.authFailures,
		m.heartbeats, m.started, m.closed, m.timedOut, m.pollsWaiting,
		m.timersDue, m.timersFired, m.timerLateness, m.commitDuration, m.batchWrites, m.fsyncDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.ops = m.resolveOps()
	// Resolved now, so that the family shows (at zero) before any refusal.
	m.authByCode = map[string]prometheus.Counter{}
	for _, c := range authCodes {
		m.authByCode[c] = m.authFailures.WithLabelValues(c)
	}
	if opts.Store != nil {
		reg.MustRegister(newStoreCollector(opts))
	}
	return m
}

// Registry is the registry the metrics are in (for tests and for adding
// collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics at /metrics. A failed scrape-time query
// leaves its families out rather than failing the whole scrape.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// The observers, each the interface its package declares.
var (
	_ service.Observer     = (*Metrics)(nil)
	_ matching.Observer    = (*Metrics)(nil)
	_ timer.Observer       = (*Metrics)(nil)
	_ store.CommitObserver = (*Metrics)(nil)
)

// ExecutionStarted implements service.Observer.
func (m *Metrics) ExecutionStarted(domain string) { m.started.WithLabelValues(domain).Inc() }

// ExecutionClosed implements service.Observer.
func (m *Metrics) ExecutionClosed(domain, status string) {
	m.closed.WithLabelValues(domain, status).Inc()
}

// Heartbeat implements service.Observer. Heartbeats come thousands a
// second: the domain's counter is looked up in a cache rather than hashed
// into the vector each time.
func (m *Metrics) Heartbeat(domain string) { m.heartbeatsBy.get(m.heartbeats, domain).Inc() }

// TaskTimedOut implements service.Observer.
func (m *Metrics) TaskTimedOut(domain string, kind store.TaskKind) {
	m.timedOut.WithLabelValues(domain, string(kind)).Inc()
}

// Waiting implements matching.Observer.
func (m *Metrics) Waiting(kind store.TaskKind, delta int) {
	if g, ok := m.pollsByKind[kind]; ok {
		g.Add(float64(delta))
	}
}

// Due implements timer.Observer.
func (m *Metrics) Due(n int) { m.timersDue.Set(float64(n)) }

// Fired implements timer.Observer.
func (m *Metrics) Fired(late time.Duration) {
	m.timersFired.Inc()
	m.timerLateness.Observe(max(late, 0).Seconds())
}

// Committed implements store.CommitObserver.
func (m *Metrics) Committed(d time.Duration, writes int) {
	m.commitDuration.Observe(d.Seconds())
	m.batchWrites.Observe(float64(writes))
}

// Synced implements store.CommitObserver.
func (m *Metrics) Synced(d time.Duration) { m.fsyncDuration.Observe(d.Seconds()) }

// Route is /metrics, to serve beside the API.
func (m *Metrics) Route() server.Route {
	return server.Route{Pattern: "GET " + PathMetrics, Handler: m.Handler()}
}

// counterCache holds the children of a one-label counter vector by label
// value. Its values are bounded as the label is (domains).
type counterCache struct{ m sync.Map }

func (c *counterCache) get(vec *prometheus.CounterVec, value string) prometheus.Counter {
	if v, ok := c.m.Load(value); ok {
		return v.(prometheus.Counter)
	}
	v, _ := c.m.LoadOrStore(value, vec.WithLabelValues(value))
	return v.(prometheus.Counter)
}
