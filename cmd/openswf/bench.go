package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/openswf/openswf/internal/bench"
)

// benchUsage heads openswf bench --help.
const benchUsage = `Usage: openswf bench SCENARIO [flags]

Drives an SWF endpoint (openswf, or any other) through the AWS SDK and
prints throughput, latency percentiles and errors.

Scenarios:
  heartbeat   RecordActivityTaskHeartbeat on --tasks started activity tasks
  workflow    whole workflows: start, decide, one activity, decide, complete
  dispatch    time from scheduling an activity to a waiting poller getting it
  history     whole reads of an --events long history, page by page, through
              GetWorkflowExecutionHistory and (--decision) decision tasks;
              the unit is an event read
  baseline    the same client against a trivial handler: the ceiling of
              this machine for this client (--baseline-process: the handler
              in a process of its own, with its CPU per request)

Flags:
`

// baselineHandlerCommand is the hidden command that serves the baseline's
// handler in a process of its own (bench --baseline-process).
const baselineHandlerCommand = "bench-baseline-handler"

// runBench runs openswf bench with args, printing the result to stdout and
// progress to stderr. An interrupt ends the run early, with no result.
func runBench(args []string, stdout, stderr io.Writer) error {
	cfg, asJSON, err := parseBench(args, stderr)
	if err != nil {
		return err
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		return res.WriteJSON(stdout)
	}
	return res.WriteText(stdout)
}

// parseBench reads the scenario and the flags, which may come in any order.
func parseBench(args []string, stderr io.Writer) (bench.Config, bool, error) {
	cfg := bench.DefaultConfig()
	var asJSON bool
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), benchUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.Endpoint, "endpoint", cfg.Endpoint, "SWF endpoint URL; several, comma-separated, take turns as behind a round-robin load balancer (the nodes of one cluster)")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long the measured part runs (setup comes before it)")
	fs.IntVar(&cfg.Concurrency, "concurrency", cfg.Concurrency, "callers at once: heartbeaters, workflows in flight, waiting pollers (dispatch), or history readers")
	fs.Float64Var(&cfg.Rate, "rate", cfg.Rate, "open loop: requests, workflows or dispatches begun per second whatever the latency (0: closed loop)")
	fs.Int64Var(&cfg.MaxUnits, "max", cfg.MaxUnits, "stop after beginning this many units, or whole reads (history) (0: only --duration ends the run)")
	fs.StringVar(&cfg.Domain, "domain", cfg.Domain, "domain to use; it and the scenario's types are registered if missing")
	fs.StringVar(&cfg.Region, "region", cfg.Region, "region the requests are signed for")
	fs.StringVar(&cfg.AccessKey, "access-key", cfg.AccessKey, "access key id the requests are signed with")
	fs.StringVar(&cfg.SecretKey, "secret-key", cfg.SecretKey, "secret key the requests are signed with")
	fs.IntVar(&cfg.Tasks, "tasks", cfg.Tasks, "heartbeat: started activity tasks to heartbeat round robin")
	fs.IntVar(&cfg.DetailsSize, "details-size", cfg.DetailsSize, "heartbeat, baseline: characters of details in each heartbeat; history: of input in each signal")
	fs.IntVar(&cfg.InputSize, "input-size", cfg.InputSize, "workflow, dispatch: characters of input in each workflow started and each activity scheduled (0: a start has none)")
	fs.IntVar(&cfg.Events, "events", cfg.Events, "history: events in the execution's history before the reads begin (SWF's limit is 25000)")
	fs.BoolVar(&cfg.Decision, "decision", cfg.Decision, "history: one decider also reads the history through decision tasks, paging with nextPageToken")
	fs.IntVar(&cfg.Deciders, "deciders", cfg.Deciders, "workflow: decider goroutines (0: --concurrency)")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "workflow: activity-worker goroutines (0: --concurrency)")
	fs.DurationVar(&cfg.SetupTimeout, "setup-timeout", cfg.SetupTimeout, "how long the setup may take")
	fs.BoolVar(&cfg.WithBaseline, "with-baseline", false, "also run the baseline for the same duration and concurrency, and print the ratio")
	var ownProcess bool
	fs.BoolVar(&ownProcess, "baseline-process", false, "run the baseline's trivial handler in a process of its own, as a server runs, and report its CPU per request")
	fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	fs.Func("server-pid", "the server's process id, whose CPU time per operation is reported (Linux; repeat or comma-separate for several nodes)", func(v string) error {
		for f := range strings.SplitSeq(v, ",") {
			pid, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || pid <= 0 {
				return fmt.Errorf("not a process id: %q", f)
			}
			cfg.ServerPIDs = append(cfg.ServerPIDs, pid)
		}
		return nil
	})

	// The flag package stops at the first argument that is not a flag;
	// take the scenario out wherever it is so that both
	// "bench heartbeat --json" and "bench --json heartbeat" work.
	var scenario []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return cfg, false, err
		}
		if fs.NArg() == 0 {
			break
		}
		scenario = append(scenario, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(scenario) != 1 {
		fs.Usage()
		return cfg, false, errors.New("bench needs exactly one scenario: " + strings.Join(bench.Scenarios(), ", "))
	}
	cfg.Scenario = scenario[0]
	if ownProcess {
		exe, err := os.Executable()
		if err != nil {
			return cfg, false, fmt.Errorf("--baseline-process: finding this program: %w", err)
		}
		cfg.BaselineCommand = []string{exe, baselineHandlerCommand}
	}
	return cfg, asJSON, cfg.Validate()
}
