// Package bench is a load generator for any SWF endpoint. It drives the
// endpoint through aws-sdk-go-v2's SWF client, as real deciders and workers
// do, and measures throughput, latency percentiles and errors, and, given
// the server's process ids, the CPU time it spent per unit.
//
// Every scenario runs for a fixed time and at most a fixed number of units,
// then stops by itself; Run returns the measurements as a Result, which the
// openswf bench command prints and Go tests can check.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// The scenarios Run knows.
const (
	// Heartbeat measures RecordActivityTaskHeartbeat on started activity
	// tasks set up beforehand.
	Heartbeat = "heartbeat"
	// Workflow measures whole workflows: start, decide, run one activity,
	// decide, complete.
	Workflow = "workflow"
	// Dispatch measures the time from scheduling an activity task to a
	// waiting poller receiving it.
	Dispatch = "dispatch"
	// History measures serving a long history: whole reads of one
	// execution's history, page by page, and decision tasks paged through.
	History = "history"
	// Baseline measures the same client against a trivial in-process
	// handler: the ceiling of the machine for this client.
	Baseline = "baseline"
)

// Scenarios lists the scenarios in the order the help shows them.
func Scenarios() []string { return []string{Heartbeat, Workflow, Dispatch, History, Baseline} }

// Config says what to run and how hard.
type Config struct {
	// Scenario is one of Scenarios().
	Scenario string
	// Endpoint is the SWF endpoint's URL; the baseline ignores it.
	Endpoint string
	// Region, AccessKey and SecretKey sign the requests.
	Region, AccessKey, SecretKey string
	// Duration is how long the measured part runs; setup comes before it.
	Duration time.Duration
	// Concurrency is how many callers run at once: heartbeaters, workflows
	// in flight (closed loop), or waiting pollers (dispatch).
	Concurrency int
	// Rate, when positive, makes the run open-loop: that many units
	// (heartbeats, workflows, dispatches, requests) are begun per second
	// whether or not earlier ones have finished, and latency is counted from
	// when each was due, so a slow server cannot hide its queueing.
	Rate float64
	// MaxUnits bounds the units a run begins (0: a bound derived from
	// Duration), so that every loop ends by count as well as by time; the
	// history scenario counts whole reads against it, not events.
	MaxUnits int64
	// Domain is the SWF domain to use; it and the types the scenario needs
	// are registered when missing.
	Domain string
	// Tasks is how many started activity tasks the heartbeat scenario
	// shares among its callers.
	Tasks int
	// DetailsSize is the length of each heartbeat's details, and of each
	// signal's input that builds the history scenario's history.
	DetailsSize int
	// InputSize is the length of the input of each workflow started and
	// each activity scheduled (workflow, dispatch); 0 leaves a start
	// without input and gives each activity a short one.
	InputSize int
	// Events is how many events the history scenario's execution holds
	// before its reads begin.
	Events int
	// Decision has the history scenario read the history through decision
	// tasks too (one decider, besides the Concurrency readers of
	// GetWorkflowExecutionHistory); each task adds a few events.
	Decision bool
	// ServerPIDs are the server's processes (one per node) whose CPU time
	// the result reports, read from /proc; none: no server CPU.
	ServerPIDs []int
	// Deciders and Workers size the workflow scenario's decider and
	// activity-worker pools (0: Concurrency each).
	Deciders, Workers int
	// SetupTimeout bounds the setup before the measured part.
	SetupTimeout time.Duration
	// WithBaseline also runs the baseline for the same duration and
	// concurrency, and reports the ratio.
	WithBaseline bool
	// BaselineCommand, when set, runs the baseline's handler in a process
	// of its own: the command (this program, run so that it calls
	// ServeBaselineProcess) and its arguments. The baseline then reports
	// the handler's CPU per request, as a server's.
	BaselineCommand []string
	// Logger reports progress; nil discards it.
	Logger *slog.Logger
}

// DefaultConfig returns the settings openswf bench starts from.
func DefaultConfig() Config {
	return Config{
		Endpoint:     "http://127.0.0.1:7930",
		Region:       "us-east-1",
		AccessKey:    "AKIDOPENSWFBENCH",
		SecretKey:    "openswf-bench-secret",
		Duration:     10 * time.Second,
		Concurrency:  8,
		Domain:       "openswf-bench",
		Tasks:        64,
		DetailsSize:  300,
		Events:       20000,
		Decision:     true,
		SetupTimeout: 2 * time.Minute,
	}
}

// maxDetails is SWF's limit on heartbeat details.
const maxDetails = 2048

// maxInput is SWF's limit on a workflow's or an activity's input.
const maxInput = 32768

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	known := false
	for _, s := range Scenarios() {
		known = known || s == c.Scenario
	}
	switch {
	case !known:
		return fmt.Errorf("unknown scenario %q (one of %s)", c.Scenario, strings.Join(Scenarios(), ", "))
	case c.Endpoint == "" && c.Scenario != Baseline:
		return errors.New("an endpoint is needed")
	case c.Duration <= 0:
		return errors.New("the duration must be positive")
	case c.Concurrency < 1:
		return errors.New("the concurrency must be at least 1")
	case c.Rate < 0:
		return errors.New("the rate cannot be negative")
	case c.MaxUnits < 0:
		return errors.New("the maximum units cannot be negative")
	case c.Domain == "" || len(c.Domain) > 256:
		return errors.New("the domain must be 1 to 256 characters")
	case c.Tasks < 1:
		return errors.New("the heartbeat scenario needs at least 1 task")
	case c.Events < 3 || c.Events > maxHistoryEvents:
		// A started run holds 2 events; the history scenario signals the
		// rest.
		return fmt.Errorf("the history needs 3 to %d events", maxHistoryEvents)
	case c.DetailsSize < 0 || c.DetailsSize > maxDetails:
		return fmt.Errorf("the details size must be 0 to %d", maxDetails)
	case c.InputSize < 0 || c.InputSize > maxInput:
		return fmt.Errorf("the input size must be 0 to %d", maxInput)
	case c.Deciders < 0 || c.Workers < 0:
		return errors.New("pool sizes cannot be negative")
	case c.SetupTimeout <= 0:
		return errors.New("the setup timeout must be positive")
	}
	return nil
}

// maxUnitsPerSecond derives the count bound of a run from its duration: far
// above what any one client machine reaches, so time ends a run first.
const maxUnitsPerSecond = 1_000_000

// maxUnits returns the bound on the units a run begins.
func (c Config) maxUnits() int64 {
	if c.MaxUnits > 0 {
		return c.MaxUnits
	}
	return max(int64(c.Duration.Seconds()*maxUnitsPerSecond), 1)
}

func (c Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Run runs the scenario of cfg and returns what it measured. It returns an
// error when the run could not be set up or ctx ended; failed calls during
// the measured part are counted in the Result instead.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	if len(cfg.ServerPIDs) > 0 && !sampleCPU(cfg.ServerPIDs).ok {
		return Result{}, fmt.Errorf("cannot read the CPU time of process %v from /proc (Linux only)", cfg.ServerPIDs)
	}
	res, err := runScenario(ctx, cfg)
	if err != nil || !cfg.WithBaseline || cfg.Scenario == Baseline {
		return res, err
	}
	base := cfg
	base.Scenario = Baseline
	b, err := runScenario(ctx, base)
	if err != nil {
		return res, fmt.Errorf("baseline: %w", err)
	}
	res.Baseline = &b
	if b.Throughput > 0 {
		res.BaselineRatio = res.Throughput / b.Throughput
	}
	return res, nil
}

func runScenario(ctx context.Context, cfg Config) (Result, error) {
	log := cfg.logger().With("scenario", cfg.Scenario, "duration", cfg.Duration, "concurrency", cfg.Concurrency, "rate", cfg.Rate)
	if cfg.Scenario == Baseline {
		log.Info("bench: starting against the built-in handler")
	} else {
		log.Info("bench: starting", "endpoint", cfg.Endpoint)
	}
	switch cfg.Scenario {
	case Heartbeat:
		return runHeartbeat(ctx, cfg)
	case Workflow:
		return runWorkflow(ctx, cfg)
	case Dispatch:
		return runDispatch(ctx, cfg)
	case History:
		return runHistory(ctx, cfg)
	default:
		return runBaseline(ctx, cfg)
	}
}
