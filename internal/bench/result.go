package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is what one run measured. Its JSON form is what openswf bench
// --json prints; durations are in nanoseconds there.
type Result struct {
	// Scenario is the scenario that ran.
	Scenario string `json:"scenario"`
	// Endpoint is the endpoint it drove.
	Endpoint string `json:"endpoint"`
	// Concurrency and Rate are the load asked for (Rate 0: closed loop).
	Concurrency int     `json:"concurrency"`
	Rate        float64 `json:"rate"`
	// Elapsed is the length of the measured part.
	Elapsed time.Duration `json:"elapsed_ns"`
	// Unit names what Count counts: heartbeats, workflows, dispatches,
	// requests or events (read, in the history scenario).
	Unit string `json:"unit"`
	// Count is how many units completed.
	Count int64 `json:"count"`
	// Throughput is Count per second of Elapsed.
	Throughput float64 `json:"throughput"`
	// Latency is the latency of a whole unit: one heartbeat or request
	// (counted from when it was due, in an open loop), a workflow from its
	// start (or due time) to the reply to its completing decision, or a
	// dispatch from the reply to the scheduling decision to a poller
	// receiving the task; in the history scenario, a whole read of the
	// history, all its pages (Count counts its events).
	Latency Latency `json:"latency"`
	// Errors is how many calls failed, in every operation.
	Errors int64 `json:"errors"`
	// ErrorSamples are the first distinct error messages.
	ErrorSamples []string `json:"error_samples,omitempty"`
	// Ops are the results of each SWF operation the run called.
	Ops []OpResult `json:"ops"`
	// Server is the CPU time the server's processes (Config.ServerPIDs)
	// spent during the measured part, per unit too; Client is the load
	// tool's own; MachineBusy is the share of all the machine's cores
	// that were busy (anything running, not only these). Absent where
	// /proc cannot be read.
	Server      *CPU    `json:"server_cpu,omitempty"`
	Client      *CPU    `json:"client_cpu,omitempty"`
	MachineBusy float64 `json:"machine_busy,omitempty"`
	// Baseline is the baseline run of the same shape, when asked for.
	Baseline *Result `json:"baseline,omitempty"`
	// BaselineRatio is Throughput over the baseline's throughput.
	BaselineRatio float64 `json:"baseline_ratio,omitempty"`
}

// OpResult is what one SWF operation measured.
type OpResult struct {
	// Name is the operation, as SWF names it.
	Name string `json:"name"`
	// Count is how many calls succeeded.
	Count int64 `json:"count"`
	// Errors is how many calls failed.
	Errors int64 `json:"errors"`
	// Empty is how many polls ended with no task; they are not in Count or
	// Latency.
	Empty int64 `json:"empty,omitempty"`
	// Throughput is Count per second.
	Throughput float64 `json:"throughput"`
	// Latency is the latency of the calls that succeeded. A poll's
	// includes its wait for a task.
	Latency Latency `json:"latency"`
}

// Latency summarizes a distribution of latencies. Percentiles are exact to
// within 1.6% (the histogram's bucket width); Min, Mean and Max are exact.
type Latency struct {
	Min  time.Duration `json:"min_ns"`
	Mean time.Duration `json:"mean_ns"`
	P50  time.Duration `json:"p50_ns"`
	P90  time.Duration `json:"p90_ns"`
	P99  time.Duration `json:"p99_ns"`
	Max  time.Duration `json:"max_ns"`
}

// WriteJSON writes r as indented JSON.
func (r Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes r for a person to read.
func (r Result) WriteText(w io.Writer) error {
	var b strings.Builder
	r.text(&b)
	if r.Baseline != nil {
		b.WriteString("\n")
		r.Baseline.text(&b)
		fmt.Fprintf(&b, "\n%s reaches %.1f%% of the baseline's throughput (ratio %.3f)\n", r.Scenario, 100*r.BaselineRatio, r.BaselineRatio)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r Result) text(b *strings.Builder) {
	load := "closed loop"
	if r.Rate > 0 {
		load = fmt.Sprintf("open loop at %g/s", r.Rate)
	}
	fmt.Fprintf(b, "%s against %s: %s, concurrency %d, %s\n", r.Scenario, r.Endpoint, r.Elapsed.Round(time.Millisecond), r.Concurrency, load)
	fmt.Fprintf(b, "  %.1f %s/s (%d in %s), %d errors\n", r.Throughput, r.Unit, r.Count, r.Elapsed.Round(time.Millisecond), r.Errors)
	fmt.Fprintf(b, "  latency: %s\n", r.Latency)
	if r.Server != nil {
		fmt.Fprintf(b, "  server CPU: %s per %s (%.2f s, %.2f cores)\n", short(r.Server.PerUnit), strings.TrimSuffix(r.Unit, "s"), r.Server.Seconds, r.Server.Cores)
	}
	if r.Client != nil {
		fmt.Fprintf(b, "  load tool CPU: %s per %s (%.2f cores); machine %.0f%% busy\n", short(r.Client.PerUnit), strings.TrimSuffix(r.Unit, "s"), r.Client.Cores, 100*r.MachineBusy)
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  operation\tok\terrors\tempty\tper s\tp50\tp90\tp99\tmax\t")
	for _, op := range r.Ops {
		l := op.Latency
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t\n", op.Name, op.Count, op.Errors, op.Empty, op.Throughput,
			short(l.P50), short(l.P90), short(l.P99), short(l.Max))
	}
	tw.Flush()
	for _, s := range r.ErrorSamples {
		fmt.Fprintf(b, "  error: %s\n", s)
	}
}

// String formats the percentiles on one line.
func (l Latency) String() string {
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  max %s  (mean %s)", short(l.P50), short(l.P90), short(l.P99), short(l.Max), short(l.Mean))
}

// short rounds d to three significant digits or so, which is all a
// percentile from the histogram is good for.
func short(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}
