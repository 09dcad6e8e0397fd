package service_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

const day = 24 * time.Hour

// retentionDomain registers a domain with the given retention and a
// workflow type with every default a start needs.
func retentionDomain(t *testing.T, c *swf.Client, name, retention string) {
	t.Helper()
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(name), WorkflowExecutionRetentionPeriodInDays: aws.String(retention)})
	must(t, err)
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain: aws.String(name), Name: aws.String(wfName), Version: aws.String(typeVer),
		DefaultTaskList:                     &types.TaskList{Name: aws.String(deciders)},
		DefaultTaskStartToCloseTimeout:      aws.String("60"),
		DefaultExecutionStartToCloseTimeout: aws.String("2592000"),
		DefaultChildPolicy:                  types.ChildPolicyTerminate,
	})
	must(t, err)
}

// startIn starts a run of workflow id in domain.
func startIn(t *testing.T, c *swf.Client, domain, workflowID string) *types.WorkflowExecution {
	t.Helper()
	out, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain: aws.String(domain), WorkflowId: aws.String(workflowID),
		WorkflowType: &types.WorkflowType{Name: aws.String(wfName), Version: aws.String(typeVer)},
	})
	must(t, err)
	return &types.WorkflowExecution{WorkflowId: aws.String(workflowID), RunId: out.RunId}
}

// closeIn closes a run at once, by terminating it.
func closeIn(t *testing.T, c *swf.Client, domain string, ex *types.WorkflowExecution) {
	t.Helper()
	_, err := c.TerminateWorkflowExecution(ctx, &swf.TerminateWorkflowExecutionInput{Domain: aws.String(domain), WorkflowId: ex.WorkflowId, RunId: ex.RunId})
	must(t, err)
}

// exists reports whether DescribeWorkflowExecution finds the run; a run
// that is gone must answer UnknownResourceFault, and so must its history.
func exists(t *testing.T, c *swf.Client, domain string, ex *types.WorkflowExecution) bool {
	t.Helper()
	_, err := c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(domain), Execution: ex})
	if err == nil {
		return true
	}
	wantFault(t, err, "UnknownResourceFault", "Unknown execution")
	_, err = c.GetWorkflowExecutionHistory(ctx, &swf.GetWorkflowExecutionHistoryInput{Domain: aws.String(domain), Execution: ex})
	wantFault(t, err, "UnknownResourceFault", "Unknown execution")
	return false
}

// closedIDs lists the closed runs of a domain by close time, and checks
// that the count agrees.
func closedIDs(t *testing.T, c *swf.Client, domain string) []string {
	t.Helper()
	filter := &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}
	out, err := c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(domain), CloseTimeFilter: filter})
	must(t, err)
	var ids []string
	for _, info := range out.ExecutionInfos {
		ids = append(ids, aws.ToString(info.Execution.RunId))
	}
	n, err := c.CountClosedWorkflowExecutions(ctx, &swf.CountClosedWorkflowExecutionsInput{Domain: aws.String(domain), StartTimeFilter: filter})
	must(t, err)
	if int(n.Count) != len(ids) {
		t.Errorf("domain %s: %d closed runs counted, %d listed", domain, n.Count, len(ids))
	}
	return ids
}

// sweep runs a sweep now, as the loop does.
func sweep(t *testing.T, w *world) {
	t.Helper()
	if _, err := w.s.Service.Sweep(ctx); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
}

// TestRetention: a run closed 8 days ago in a 7-day domain is deleted by
// the sweeper's loop, with its history and its place in the lists; one
// closed 6 days ago stays, as does one closed yesterday and an open run
// started long ago.
func TestRetention(t *testing.T) {
	w := newWorld(t)
	retentionDomain(t, w.c, "seven", "7")

	a := startIn(t, w.c, "seven", "a")
	closeIn(t, w.c, "seven", a)
	open := startIn(t, w.c, "seven", "open")
	w.clk.Advance(2 * day)
	b := startIn(t, w.c, "seven", "b")
	closeIn(t, w.c, "seven", b)
	w.clk.Advance(5 * day)
	dep := startIn(t, w.c, "seven", "dep")
	closeIn(t, w.c, "seven", dep)
	w.clk.Advance(day)
	// Now a closed 8 days ago, b 6 days ago, dep 1 day ago.

	// The loop sweeps on its own as the clock moves on.
	deadline := time.Now().Add(5 * time.Second)
	for exists(t, w.c, "seven", a) {
		if time.Now().After(deadline) {
			t.Fatal("the sweeper did not delete a run past its retention")
		}
		w.clk.Advance(time.Minute)
		time.Sleep(10 * time.Millisecond)
	}
	sweep(t, w)
	if !exists(t, w.c, "seven", b) || !exists(t, w.c, "seven", dep) || !exists(t, w.c, "seven", open) {
		t.Fatal("a run within its retention, or an open run, was deleted")
	}
	if ids := closedIDs(t, w.c, "seven"); len(ids) != 2 || ids[0] != aws.ToString(dep.RunId) || ids[1] != aws.ToString(b.RunId) {
		t.Errorf("closed runs listed %v, want [dep b]", ids)
	}
	n, err := w.c.CountOpenWorkflowExecutions(ctx, &swf.CountOpenWorkflowExecutionsInput{Domain: aws.String("seven"), StartTimeFilter: &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}})
	must(t, err)
	if n.Count != 1 {
		t.Errorf("%d open runs, want 1", n.Count)
	}
	// The workflow id is free for a new run, and a call without a run id
	// no longer finds the deleted one.
	_, err = w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String("seven"), WorkflowId: aws.String("a"), SignalName: aws.String("s")})
	wantFault(t, err, "UnknownResourceFault", "")
	startIn(t, w.c, "seven", "a")

	// Two more days: b is past its 7 days.
	w.clk.Advance(2 * day)
	sweep(t, w)
	if exists(t, w.c, "seven", b) || !exists(t, w.c, "seven", dep) {
		t.Error("after 8 days b stays, or dep went after 3")
	}
}

// TestRetentionDeprecatedDomain: a deprecated domain's runs are swept too.
func TestRetentionDeprecatedDomain(t *testing.T) {
	w := newWorld(t)
	retentionDomain(t, w.c, "old", "2")
	x := startIn(t, w.c, "old", "x")
	closeIn(t, w.c, "old", x)
	_, err := w.c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("old")})
	must(t, err)
	w.clk.Advance(day)
	sweep(t, w)
	if !exists(t, w.c, "old", x) {
		t.Fatal("deleted after 1 of 2 days")
	}
	w.clk.Advance(day + time.Second)
	sweep(t, w)
	if exists(t, w.c, "old", x) {
		t.Fatal("kept after 2 days in a deprecated domain")
	}
}

// TestRetentionNone: with retention NONE a closed run is gone at the next
// sweep, and an open one stays.
func TestRetentionNone(t *testing.T) {
	w := newWorld(t)
	retentionDomain(t, w.c, "none", "NONE")
	x := startIn(t, w.c, "none", "x")
	y := startIn(t, w.c, "none", "y")
	closeIn(t, w.c, "none", x)
	w.clk.Advance(time.Second)
	sweep(t, w)
	if exists(t, w.c, "none", x) {
		t.Fatal("a closed run kept with retention NONE")
	}
	if !exists(t, w.c, "none", y) {
		t.Fatal("an open run deleted")
	}
	if ids := closedIDs(t, w.c, "none"); len(ids) != 0 {
		t.Errorf("closed runs listed %v", ids)
	}
}

// TestRetentionContinueAsNew: the old run of a continue-as-new chain is
// swept; the new run goes on working, is reached by workflow id, and
// closes normally.
func TestRetentionContinueAsNew(t *testing.T) {
	w := newWorld(t) // domain wd: 1 day
	ex := w.start("loop")
	w.decide(w.pollDecision().TaskToken, types.Decision{
		DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution,
		ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{
			Input: aws.String("round 2"), ExecutionStartToCloseTimeout: aws.String("864000")},
	})
	w.clk.Advance(day + time.Minute)
	sweep(t, w)
	if exists(t, w.c, dom, ex) {
		t.Fatal("the old run of the chain was kept past its retention")
	}
	dt := w.pollDecision()
	next := dt.WorkflowExecution
	if aws.ToString(next.RunId) == aws.ToString(ex.RunId) {
		t.Fatal("decision task of the deleted run")
	}
	if got := aws.ToString(dt.Events[0].WorkflowExecutionStartedEventAttributes.ContinuedExecutionRunId); got != aws.ToString(ex.RunId) {
		t.Errorf("continuedExecutionRunId %q", got)
	}
	// Calls without a run id reach the new run.
	_, err := w.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, SignalName: aws.String("s")})
	must(t, err)
	w.decide(dt.TaskToken, completeWorkflow("done")) // refused: the signal is unseen
	w.decide(w.pollDecision().TaskToken, completeWorkflow("done"))
	desc, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: next})
	must(t, err)
	if desc.ExecutionInfo.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("new run closed as %s", desc.ExecutionInfo.CloseStatus)
	}
	// In its turn, it goes too.
	w.clk.Advance(day + time.Minute)
	sweep(t, w)
	if exists(t, w.c, dom, next) {
		t.Fatal("the new run kept past its retention")
	}
	_, err = w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: &types.WorkflowExecution{WorkflowId: ex.WorkflowId, RunId: next.RunId}})
	wantFault(t, err, "UnknownResourceFault", "")
}

// TestRetentionChild: a closed child is swept once its parent has its news
// (never before), while the parent is still open; the parent goes on, and
// a request to the deleted child fails as one to an unknown run does.
func TestRetentionChild(t *testing.T) {
	w := newWorld(t) // domain wd: 1 day
	out, err := w.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{
		Domain: aws.String(dom), WorkflowId: aws.String("p"),
		WorkflowType:                 &types.WorkflowType{Name: aws.String(wfName), Version: aws.String(typeVer)},
		ExecutionStartToCloseTimeout: aws.String("864000"),
	})
	must(t, err)
	parent := &types.WorkflowExecution{WorkflowId: aws.String("p"), RunId: out.RunId}
	w.decide(w.pollDecision().TaskToken, startChildDecision("kid"))
	events := w.waitFor(parent, types.EventTypeChildWorkflowExecutionStarted)
	child := findEvent(events, types.EventTypeChildWorkflowExecutionStarted).ChildWorkflowExecutionStartedEventAttributes.WorkflowExecution
	w.decide(w.pollDecision().TaskToken)
	w.decide(w.pollKids().TaskToken, completeWorkflow("kid done"))
	w.waitFor(parent, types.EventTypeChildWorkflowExecutionCompleted)

	w.clk.Advance(day + time.Minute)
	deadline := time.Now().Add(5 * time.Second)
	for exists(t, w.c, dom, child) { // once the parent's news is settled
		if time.Now().After(deadline) {
			t.Fatal("the closed child was not swept")
		}
		sweep(t, w)
		time.Sleep(5 * time.Millisecond)
	}
	if !exists(t, w.c, dom, parent) {
		t.Fatal("the open parent was swept")
	}
	w.decide(w.pollDecision().TaskToken, types.Decision{
		DecisionType: types.DecisionTypeRequestCancelExternalWorkflowExecution,
		RequestCancelExternalWorkflowExecutionDecisionAttributes: &types.RequestCancelExternalWorkflowExecutionDecisionAttributes{
			WorkflowId: child.WorkflowId, RunId: child.RunId},
	})
	events = w.waitFor(parent, types.EventTypeRequestCancelExternalWorkflowExecutionFailed)
	f := findEvent(events, types.EventTypeRequestCancelExternalWorkflowExecutionFailed).RequestCancelExternalWorkflowExecutionFailedEventAttributes
	if f.Cause != types.RequestCancelExternalWorkflowExecutionFailedCauseUnknownExternalWorkflowExecution {
		t.Fatalf("cause %s", f.Cause)
	}
	w.decide(w.pollDecision().TaskToken, completeWorkflow("done"))
	desc, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: parent})
	must(t, err)
	if desc.ExecutionInfo.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("parent closed as %s", desc.ExecutionInfo.CloseStatus)
	}
}
