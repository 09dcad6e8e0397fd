package bench

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"
)

// maxErrorSamples bounds how many distinct error messages a run keeps.
const maxErrorSamples = 5

// recorder collects the outcome of every call of a run. Workers share it.
type recorder struct {
	// stop is the run's end: an error a call returns because stop ended it
	// is the run finishing, not a failure.
	stop context.Context

	// pids are the server's processes whose CPU the run reports, and
	// cpu the counters at the start of the measured part.
	pids []int
	cpu  cpuSample

	mu      sync.Mutex // guards the fields below
	stats   map[string]*stat
	units   stat // whole units: a heartbeat, a workflow, a dispatch, an event read
	samples []string
}

// stat is one operation's tally. Its recorder's mutex guards it.
type stat struct {
	ok, errs, empty int64
	hist            histogram
}

// newRecorder starts recording the measured part of a run of cfg, which
// ends with stop.
func newRecorder(stop context.Context, cfg Config) *recorder {
	return &recorder{stop: stop, stats: make(map[string]*stat), pids: cfg.ServerPIDs, cpu: sampleCPU(cfg.ServerPIDs)}
}

// statLocked returns the tally of op, creating it.
func (r *recorder) statLocked(op string) *stat {
	s := r.stats[op]
	if s == nil {
		s = new(stat)
		r.stats[op] = s
	}
	return s
}

// ok records a call of op that succeeded in d.
func (r *recorder) ok(op string, d time.Duration) {
	r.mu.Lock()
	r.statLocked(op).hist.record(d)
	r.statLocked(op).ok++
	r.mu.Unlock()
}

// done records a whole unit that completed in d.
func (r *recorder) done(d time.Duration) {
	r.mu.Lock()
	r.units.hist.record(d)
	r.units.ok++
	r.mu.Unlock()
}

// doneN records a whole read of n units (events of a history) that
// completed in d: n count, one latency.
func (r *recorder) doneN(n int64, d time.Duration) {
	r.mu.Lock()
	r.units.hist.record(d)
	r.units.ok += n
	r.mu.Unlock()
}

// empty records a poll of op that succeeded but returned no task: its
// latency is the long-poll hold, not the server's speed, so it is counted
// apart.
func (r *recorder) empty(op string) {
	r.mu.Lock()
	r.statLocked(op).empty++
	r.mu.Unlock()
}

// fail records a call of op that failed with err. It reports whether err was
// a failure; a call cut short by the end of the run is not counted.
func (r *recorder) fail(op string, err error) bool {
	if r.stop.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statLocked(op).errs++
	msg := op + ": " + err.Error()
	if len(r.samples) < maxErrorSamples {
		for _, s := range r.samples {
			if s == msg {
				return true
			}
		}
		r.samples = append(r.samples, msg)
	}
	return true
}

// call times f as one call of op and records its outcome.
func (r *recorder) call(op string, f func() error) error {
	t0 := time.Now()
	err := f()
	if err != nil {
		r.fail(op, err)
		return err
	}
	r.ok(op, time.Since(t0))
	return nil
}

// ops returns every operation's results over elapsed, sorted by name.
func (r *recorder) ops(elapsed time.Duration) []OpResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]OpResult, 0, len(r.stats))
	for name, s := range r.stats {
		out = append(out, OpResult{
			Name:       name,
			Count:      s.ok,
			Errors:     s.errs,
			Empty:      s.empty,
			Throughput: perSecond(s.ok, elapsed),
			Latency:    s.hist.latency(),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// errorSamples returns the first distinct error messages.
func (r *recorder) errorSamples() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.samples...)
}

// result assembles the Result of a run of cfg whose measured part took
// elapsed, counting units called unit.
func (r *recorder) result(cfg Config, unit string, elapsed time.Duration) Result {
	end := sampleCPU(r.pids)
	ops := r.ops(elapsed)
	var errs int64
	for _, op := range ops {
		errs += op.Errors
	}
	r.mu.Lock()
	count, lat := r.units.ok, r.units.hist.latency()
	r.mu.Unlock()
	endpoint := cfg.Endpoint
	if cfg.Scenario == Baseline {
		endpoint = "(built-in handler)"
		if len(cfg.BaselineCommand) > 0 {
			endpoint = "(built-in handler, own process)"
		}
	}
	use := diffCPU(r.cpu, end, len(r.pids) > 0, elapsed, count)
	return Result{
		Server:       use.Server,
		Client:       use.Client,
		MachineBusy:  use.MachineBusy,
		Scenario:     cfg.Scenario,
		Endpoint:     endpoint,
		Concurrency:  cfg.Concurrency,
		Rate:         cfg.Rate,
		Elapsed:      elapsed,
		Unit:         unit,
		Count:        count,
		Throughput:   perSecond(count, elapsed),
		Latency:      lat,
		Errors:       errs,
		ErrorSamples: r.errorSamples(),
		Ops:          ops,
	}
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
