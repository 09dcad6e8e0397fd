package service_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// TestVisibilityParent: the visibility lists name a child's parent, as
// DescribeWorkflowExecution does, open or closed, and for the child's
// successor by continue-as-new too (it is still the parent's child); a
// run started on its own has none.
func TestVisibilityParent(t *testing.T) {
	w := newWorld(t)
	parent, child := startedChild(w)
	since := &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}
	// list returns the parent of each run a listing shows, by run id
	// ("" for none).
	list := func(closed bool) map[string]string {
		t.Helper()
		var infos []types.WorkflowExecutionInfo
		if closed {
			out, err := w.c.ListClosedWorkflowExecutions(ctx, &swf.ListClosedWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: since})
			must(t, err)
			infos = out.ExecutionInfos
		} else {
			out, err := w.c.ListOpenWorkflowExecutions(ctx, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: since})
			must(t, err)
			infos = out.ExecutionInfos
		}
		got := map[string]string{}
		for _, info := range infos {
			p := ""
			if info.Parent != nil {
				p = aws.ToString(info.Parent.WorkflowId) + "/" + aws.ToString(info.Parent.RunId)
			}
			got[aws.ToString(info.Execution.RunId)] = p
		}
		return got
	}
	ofParent := aws.ToString(parent.WorkflowId) + "/" + aws.ToString(parent.RunId)
	want := func(closed bool, runs map[string]string) {
		t.Helper()
		got := list(closed)
		if len(got) != len(runs) {
			t.Errorf("closed=%v: listed %v, want %v", closed, got, runs)
		}
		for runID, p := range runs {
			if gp, ok := got[runID]; !ok || gp != p {
				t.Errorf("closed=%v: run %s listed with parent %q (listed: %v), want %q", closed, runID, gp, ok, p)
			}
		}
	}
	want(false, map[string]string{*parent.RunId: "", *child.RunId: ofParent})

	// The child continues as new.
	w.decide(w.pollKids().TaskToken, types.Decision{
		DecisionType: types.DecisionTypeContinueAsNewWorkflowExecution,
		ContinueAsNewWorkflowExecutionDecisionAttributes: &types.ContinueAsNewWorkflowExecutionDecisionAttributes{
			TaskList: &types.TaskList{Name: aws.String(kids)}},
	})
	task := w.pollKids()
	next := aws.ToString(task.WorkflowExecution.RunId)
	if next == *child.RunId {
		t.Fatalf("no new run after continue-as-new")
	}
	want(false, map[string]string{*parent.RunId: "", next: ofParent})
	want(true, map[string]string{*child.RunId: ofParent})

	// Both close.
	w.decide(task.TaskToken, completeWorkflow("child result"))
	w.waitFor(parent, types.EventTypeChildWorkflowExecutionCompleted)
	w.decide(w.pollDecision().TaskToken, completeWorkflow("done"))
	want(false, map[string]string{})
	want(true, map[string]string{*parent.RunId: "", *child.RunId: ofParent, next: ofParent})
}
