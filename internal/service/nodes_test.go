package service_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/swftest"
)

// TestTwoNodes drives one workflow through two servers on one store, each
// command on the node that did not commit the run's last change, so that
// every command meets a node whose cached state of the run is behind the
// store: the answers and the history must be those of one node.
func TestTwoNodes(t *testing.T) {
	a := newWorld(t)
	b := a.otherNode(swftest.Options{})

	ex := a.start("two-nodes") // a caches the run with its first decision task queued

	// b starts and completes the decision task: a's cached state is now
	// two changes behind.
	d := b.pollDecision()
	b.decide(d.TaskToken, scheduleActivity("act-1"))

	// On a's stale state the activity does not exist yet: the start must
	// be judged again on the stored run, not refused or dropped.
	act := a.pollActivity()
	if aws.ToString(act.ActivityId) != "act-1" || aws.ToString(act.Input) != "work act-1" {
		t.Fatalf("activity task: %+v", act)
	}

	// b's cached state has the activity scheduled but not started.
	_, err := b.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: act.TaskToken, Result: aws.String("done")})
	must(t, err)

	// a starts the next decision task on its stale state; a signal through
	// b then moves the run on, and a completes the task from its cached
	// state, which the engine accepts and the store must refuse (the run's
	// version moved): the completion is recomputed with the signal in.
	d = a.pollDecision()
	_, err = b.c.SignalWorkflowExecution(ctx, &swf.SignalWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: ex.WorkflowId, RunId: ex.RunId, SignalName: aws.String("poke")})
	must(t, err)
	a.decide(d.TaskToken) // no decisions: the signal's decision task is next
	d = b.pollDecision()
	a.decide(d.TaskToken, completeWorkflow("ok"))

	wantTypes(t, a.history(ex),
		"WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
		"ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted",
		"DecisionTaskScheduled", "DecisionTaskStarted", "WorkflowExecutionSignaled", "DecisionTaskScheduled", "DecisionTaskCompleted",
		"DecisionTaskStarted", "DecisionTaskCompleted", "WorkflowExecutionCompleted")

	// A token of a task that is done is refused by both, whatever they
	// cached.
	for _, w := range []*world{a, b} {
		_, err := w.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: d.TaskToken})
		wantFault(t, err, "UnknownResourceFault", "")
	}
}

// TestCrossNodeHandOff: a poller waiting on node b receives a task that
// node a queued, by the store's word of it (PostgreSQL's notifications),
// not by its periodic look at the store: the servers' clock is fake and
// stands still, so the look never comes. On SQLite nodes share no such
// word (one process owns the file), and the test does not apply.
func TestCrossNodeHandOff(t *testing.T) {
	if os.Getenv("OPENSWF_TEST_STORE") != "postgres" {
		t.Skip("cross-node notifications are PostgreSQL's (OPENSWF_TEST_STORE=postgres)")
	}
	a := newWorld(t)
	b := a.otherNode(swftest.Options{})

	const rounds = 30
	var lat []time.Duration
	for i := range rounds {
		ex := a.start(fmt.Sprint("handoff-", i))
		d := a.pollDecision()
		got := make(chan time.Time, 1)
		go func() {
			c, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			out, err := b.c.PollForActivityTask(c, &swf.PollForActivityTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(workers)}})
			if err != nil || out.TaskToken == nil {
				t.Errorf("round %d: the poll on b: %v (task %v)", i, err, out != nil && out.TaskToken != nil)
			}
			got <- time.Now()
		}()
		// Let b's poll wait first, most of the time: a task queued before
		// it looks is found by its first look, which proves nothing.
		time.Sleep(30 * time.Millisecond)
		a.decide(d.TaskToken, scheduleActivity(fmt.Sprint("act-", i)))
		queued := time.Now()
		select {
		case at := <-got:
			lat = append(lat, at.Sub(queued))
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: node b's poller never got the task node a queued (run %s)", i, aws.ToString(ex.RunId))
		}
	}
	slices.Sort(lat)
	t.Logf("hand-off from node a's answer to node b's poller, %d rounds: p50 %v, p90 %v, max %v",
		rounds, lat[rounds/2], lat[rounds*9/10], lat[rounds-1])
}
