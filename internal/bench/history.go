package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// The history scenario's operations beyond the shared ones. A decision
// task's later pages are PollForDecisionTask calls too, but they claim
// nothing and never wait, so they are tallied apart from the claiming poll.
const (
	opSignal            = "SignalWorkflowExecution"
	opGetHistory        = "GetWorkflowExecutionHistory"
	opPollDecisionPage  = "PollForDecisionTask (nextPageToken)"
	historyPageSize     = 1000
	historySetupCallers = 12
	maxHistoryEvents    = 25000 // SWF's limit per execution, and openswf's default
	eventsPerDecision   = 4     // signaled, decision scheduled, started, completed
)

// runHistory measures serving a long history: it starts one execution and
// signals it until its history has cfg.Events events, then cfg.Concurrency
// callers read the whole history page by page with
// GetWorkflowExecutionHistory, and, with cfg.Decision, one decider more
// reads it as deciders do: it has a decision task scheduled (a signal),
// polls it and pages through the task's history with nextPageToken, then
// completes the task without decisions. The unit is an event read, either
// way; a unit's latency is that of one whole history read.
func runHistory(ctx context.Context, cfg Config) (Result, error) {
	e, err := newEnv(ctx, cfg, cfg.Concurrency+historySetupCallers+1)
	if err != nil {
		return Result{}, err
	}
	id := e.workflowID(0)
	runID, err := e.longHistory(ctx, id)
	// Whatever was started is closed, also after a failed setup.
	defer e.terminate(ctx, []string{id})
	if err != nil {
		return Result{}, fmt.Errorf("setting up a history of %d events: %w", cfg.Events, err)
	}
	exec := &types.WorkflowExecution{WorkflowId: aws.String(id), RunId: aws.String(runID)}

	var beside func(ctx, stop context.Context, rec *recorder, limit int64)
	if cfg.Decision {
		beside = func(ctx, stop context.Context, rec *recorder, limit int64) {
			e.decisionReader(ctx, stop, rec, exec, limit)
		}
	}
	return measureBeside(ctx, cfg, "events", func(ctx context.Context, rec *recorder, due time.Time) {
		if n, ok := e.readHistory(ctx, rec, exec); ok {
			rec.doneN(n, time.Since(due))
		}
	}, beside)
}

// longHistory starts workflow id and signals it from several callers at once
// until its history has e.cfg.Events events, and returns its run id. The
// signals need no decider: the first one's decision task stays scheduled,
// and later ones only add their own event.
func (e *env) longHistory(ctx context.Context, id string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.SetupTimeout)
	defer cancel()
	log := e.cfg.logger()
	started, err := e.start(ctx, id)
	if err != nil {
		return "", fmt.Errorf("starting the workflow: %w", err)
	}
	runID := aws.ToString(started.RunId)
	// A started run holds two events: its start, and its first decision
	// task scheduled.
	signals := e.cfg.Events - 2
	log.Info("bench: signalling the workflow", "signals", signals)
	input := aws.String(strings.Repeat("s", e.cfg.DetailsSize))
	t0 := time.Now()
	err = forEach(ctx, signals, historySetupCallers, func(ctx context.Context, i int) error {
		_, err := e.client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{
			Domain: aws.String(e.cfg.Domain), WorkflowId: aws.String(id), RunId: aws.String(runID),
			SignalName: aws.String("openswf-bench"), Input: input})
		return err
	})
	if err != nil {
		return runID, fmt.Errorf("signalling the workflow: %w", err)
	}
	// The newest event's id is the length of the history: check that the
	// run has what the measurement will count.
	last, err := e.client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{
		Domain: aws.String(e.cfg.Domain), Execution: &types.WorkflowExecution{WorkflowId: aws.String(id), RunId: aws.String(runID)},
		ReverseOrder: true, MaximumPageSize: 1})
	if err != nil {
		return runID, fmt.Errorf("reading the history's newest event: %w", err)
	}
	if len(last.Events) != 1 || last.Events[0].EventId != int64(e.cfg.Events) {
		return runID, fmt.Errorf("the history does not end at event %d: %+v", e.cfg.Events, last.Events)
	}
	log.Info("bench: history ready; reading it", "events", e.cfg.Events, "setup_s", time.Since(t0).Seconds())
	return runID, nil
}

// readHistory reads the whole history of exec, page by page, and returns
// how many events it read; false when a page failed.
func (e *env) readHistory(ctx context.Context, rec *recorder, exec *types.WorkflowExecution) (int64, bool) {
	var n int64
	var token *string
	for {
		var out *swf.GetWorkflowExecutionHistoryOutput
		err := rec.call(opGetHistory, func() error {
			var err error
			out, err = e.client.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{
				Domain: aws.String(e.cfg.Domain), Execution: exec, MaximumPageSize: historyPageSize, NextPageToken: token})
			return err
		})
		if err != nil {
			return n, false
		}
		n += int64(len(out.Events))
		if token = out.NextPageToken; aws.ToString(token) == "" {
			return n, true
		}
	}
}

// decisionReader reads the history as a decider does, one decision task
// after another, until stop ends or it has polled maxPolls times. Each task
// adds eventsPerDecision events to the history, so it stops before the
// history would pass SWF's limit, where the run would be terminated.
func (e *env) decisionReader(ctx, stop context.Context, rec *recorder, exec *types.WorkflowExecution, maxPolls int64) {
	events := int64(e.cfg.Events) // the history's length, as far as known
	for range maxPolls {
		if stop.Err() != nil {
			return
		}
		if events+eventsPerDecision > maxHistoryEvents {
			e.cfg.logger().Info("bench: the history is at its limit; no more decision tasks", "events", events)
			return
		}
		// At most this many, until the task tells the history's length.
		events += eventsPerDecision
		// A signal schedules a decision task when none is open; the
		// previous one was completed, so this one always does.
		err := rec.call(opSignal, func() error {
			_, err := e.client.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{
				Domain: aws.String(e.cfg.Domain), WorkflowId: exec.WorkflowId, RunId: exec.RunId, SignalName: aws.String("openswf-bench")})
			return err
		})
		if err != nil {
			pause(stop)
			continue
		}
		t0 := time.Now()
		task, err := e.client.PollForDecisionTask(stop, &swf.PollForDecisionTaskInput{
			Domain: aws.String(e.cfg.Domain), TaskList: e.decisions, MaximumPageSize: historyPageSize})
		switch {
		case err != nil:
			if rec.fail(opPollDecision, err) {
				pause(stop)
			}
			continue
		case task.TaskToken == nil:
			rec.empty(opPollDecision)
			continue
		}
		rec.ok(opPollDecision, time.Since(t0))
		n, ok := e.decisionPages(ctx, rec, task)
		// Answered whether or not every page came, so that the next signal
		// schedules the next task.
		if rec.call(opRespondDecision, func() error { return e.decide(ctx, task.TaskToken) }) != nil || !ok {
			continue
		}
		// The completion is the history's newest event.
		events = task.StartedEventId + 1
		rec.doneN(n, time.Since(t0))
	}
}

// decisionPages reads the rest of a decision task's history with its
// nextPageToken, and returns how many events the task's pages held.
func (e *env) decisionPages(ctx context.Context, rec *recorder, task *swf.PollForDecisionTaskOutput) (int64, bool) {
	n := int64(len(task.Events))
	for token := task.NextPageToken; aws.ToString(token) != ""; {
		var page *swf.PollForDecisionTaskOutput
		err := rec.call(opPollDecisionPage, func() error {
			var err error
			page, err = e.client.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{
				Domain: aws.String(e.cfg.Domain), TaskList: e.decisions, MaximumPageSize: historyPageSize, NextPageToken: token})
			return err
		})
		if err != nil {
			return n, false
		}
		n += int64(len(page.Events))
		token = page.NextPageToken
	}
	return n, true
}
