package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

func TestWorkflowToCompletion(t *testing.T) {
	w := newWorld(t)
	ex := w.start("order-1")

	dt := w.pollDecision()
	if dt.StartedEventId != 3 || dt.PreviousStartedEventId != 0 || aws.ToString(dt.WorkflowType.Name) != wfName || aws.ToString(dt.WorkflowExecution.RunId) != aws.ToString(ex.RunId) {
		t.Fatalf("decision task %+v", dt)
	}
	wantTypes(t, dt.Events, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted")
	started := dt.Events[0].WorkflowExecutionStartedEventAttributes
	if aws.ToString(started.Input) != "in" || aws.ToString(started.TaskList.Name) != deciders || aws.ToString(started.ExecutionStartToCloseTimeout) != "3600" || started.ChildPolicy != types.ChildPolicyTerminate {
		t.Fatalf("started attributes %+v", started)
	}
	w.decide(dt.TaskToken, scheduleActivity("a1"))

	at := w.pollActivity()
	if aws.ToString(at.ActivityId) != "a1" || aws.ToString(at.Input) != "work a1" || at.StartedEventId != 6 {
		t.Fatalf("activity task %+v", at)
	}
	_, err := w.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: at.TaskToken, Result: aws.String("charged")})
	must(t, err)

	dt = w.pollDecision()
	if dt.PreviousStartedEventId != 3 {
		t.Fatalf("previousStartedEventId %d, want 3", dt.PreviousStartedEventId)
	}
	w.decide(dt.TaskToken, completeWorkflow("done"))

	events := w.history(ex)
	wantTypes(t, events, "WorkflowExecutionStarted", "DecisionTaskScheduled", "DecisionTaskStarted", "DecisionTaskCompleted",
		"ActivityTaskScheduled", "ActivityTaskStarted", "ActivityTaskCompleted", "DecisionTaskScheduled", "DecisionTaskStarted",
		"DecisionTaskCompleted", "WorkflowExecutionCompleted")
	sched := events[4].ActivityTaskScheduledEventAttributes
	if aws.ToString(sched.StartToCloseTimeout) != "300" || aws.ToString(sched.ScheduleToStartTimeout) != "600" ||
		aws.ToString(sched.ScheduleToCloseTimeout) != "900" || aws.ToString(sched.HeartbeatTimeout) != "30" ||
		aws.ToString(sched.TaskList.Name) != workers || sched.DecisionTaskCompletedEventId != 4 {
		t.Fatalf("ActivityTaskScheduled %+v", sched)
	}
	if r := events[6].ActivityTaskCompletedEventAttributes; aws.ToString(r.Result) != "charged" || r.ScheduledEventId != 5 || r.StartedEventId != 6 {
		t.Fatalf("ActivityTaskCompleted %+v", r)
	}
	if aws.ToString(events[5].ActivityTaskStartedEventAttributes.Identity) != "worker-1" {
		t.Fatal("identity not recorded")
	}

	desc, err := w.c.DescribeWorkflowExecution(ctx, &swf.DescribeWorkflowExecutionInput{Domain: aws.String(dom), Execution: ex})
	must(t, err)
	if desc.ExecutionInfo.ExecutionStatus != types.ExecutionStatusClosed || desc.ExecutionInfo.CloseStatus != types.CloseStatusCompleted {
		t.Fatalf("describe %+v", desc.ExecutionInfo)
	}

	// The tokens of closed tasks are dead.
	_, err = w.c.RespondDecisionTaskCompleted(ctx, &swf.RespondDecisionTaskCompletedInput{TaskToken: dt.TaskToken})
	wantFault(t, err, "UnknownResourceFault", "")
	_, err = w.c.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: at.TaskToken})
	wantFault(t, err, "UnknownResourceFault", "Unknown activity, scheduledEventId = 5")
}

func TestStartWorkflowFaults(t *testing.T) {
	w := newWorld(t)
	w.start("dup")
	_, err := w.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: aws.String("dup"), WorkflowType: &types.WorkflowType{Name: aws.String(wfName), Version: aws.String(typeVer)}})
	wantFault(t, err, "WorkflowExecutionAlreadyStartedFault", "")

	_, err = w.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: aws.String("x"), WorkflowType: &types.WorkflowType{Name: aws.String("nope"), Version: aws.String("1")}})
	wantFault(t, err, "UnknownResourceFault", "Unknown type: WorkflowType=[name=nope, version=1]")
	_, err = w.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String("nodom"), WorkflowId: aws.String("x"), WorkflowType: &types.WorkflowType{Name: aws.String(wfName), Version: aws.String(typeVer)}})
	wantFault(t, err, "UnknownResourceFault", "Unknown domain: nodom")

	// A type without defaults needs every value from the request.
	registerWorkflow(t, w.c, dom, "bare", "1")
	_, err = w.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: aws.String("b"), WorkflowType: &types.WorkflowType{Name: aws.String("bare"), Version: aws.String("1")}})
	wantFault(t, err, "DefaultUndefinedFault", "")
	_, err = w.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: aws.String("b"),
		WorkflowType: &types.WorkflowType{Name: aws.String("bare"), Version: aws.String("1")},
		TaskList:     &types.TaskList{Name: aws.String("t")}, ExecutionStartToCloseTimeout: aws.String("10"), TaskStartToCloseTimeout: aws.String("NONE"), ChildPolicy: types.ChildPolicyAbandon})
	must(t, err)

	_, err = w.c.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: aws.String(dom), WorkflowType: &types.WorkflowType{Name: aws.String("bare"), Version: aws.String("1")}})
	must(t, err)
	_, err = w.c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: aws.String("c"), WorkflowType: &types.WorkflowType{Name: aws.String("bare"), Version: aws.String("1")}})
	wantFault(t, err, "TypeDeprecatedFault", "WorkflowType=[name=bare, version=1]")
}

// TestEmptyPollBodies: an idle poll's answer, byte for byte as SWF sends
// it: the event ids as zeros and nothing else, no "events" list either.
func TestEmptyPollBodies(t *testing.T) {
	w := newWorld(t)
	for op, want := range map[string]string{
		"PollForDecisionTask": `{"startedEventId":0,"previousStartedEventId":0}`,
		"PollForActivityTask": `{"startedEventId":0}`,
	} {
		done := make(chan string, 1)
		go func() {
			status, body := rawPost(t, w.s.URL, op, `{"domain":"`+dom+`","taskList":{"name":"idle"}}`)
			done <- fmt.Sprint(status, " ", string(body))
		}()
		time.Sleep(50 * time.Millisecond)
		w.clk.Advance(time.Minute)
		select {
		case got := <-done:
			if got != "200 "+want {
				t.Errorf("idle %s: %s, want 200 %s", op, got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("idle %s did not end", op)
		}
	}
}

func TestEmptyPollsAndWakeUp(t *testing.T) {
	w := newWorld(t)
	// An idle poll ends when its hold passes, with no taskToken member.
	done := make(chan *swf.PollForActivityTaskOutput, 1)
	go func() {
		out, err := w.c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String("idle")}})
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	time.Sleep(50 * time.Millisecond)
	w.clk.Advance(time.Minute)
	select {
	case out := <-done:
		if out.TaskToken != nil || out.StartedEventId != 0 {
			t.Fatalf("idle poll %+v", out)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("idle poll did not end")
	}

	// A waiting poller gets a task as soon as it is scheduled.
	got := make(chan time.Time, 1)
	go func() {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		out, err := w.c.PollForDecisionTask(c, &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(deciders)}})
		if err != nil || out.TaskToken == nil {
			t.Errorf("poll: %v %+v", err, out)
		}
		got <- time.Now()
	}()
	time.Sleep(100 * time.Millisecond)
	startedAt := time.Now()
	w.start("wake")
	if d := (<-got).Sub(startedAt); d > time.Second {
		t.Fatalf("waiting poller took %v to get the task", d)
	}
}

func TestActivityPriorityOrder(t *testing.T) {
	w := newWorld(t)
	w.start("p")
	dt := w.pollDecision()
	var decisions []types.Decision
	for i, p := range []string{"1", "5", "-3", "5", "10"} {
		d := scheduleActivity("a" + string(rune('0'+i)))
		d.ScheduleActivityTaskDecisionAttributes.TaskPriority = aws.String(p)
		decisions = append(decisions, d)
	}
	w.decide(dt.TaskToken, decisions...)
	var order []string
	for range decisions {
		order = append(order, aws.ToString(w.pollActivity().ActivityId))
	}
	if got := strings.Join(order, ","); got != "a4,a1,a3,a0,a2" {
		t.Fatalf("delivery order %s, want a4,a1,a3,a0,a2 (priority, then FIFO)", got)
	}
	n, err := w.c.CountPendingActivityTasks(ctx, &swf.CountPendingActivityTasksInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(workers)}})
	must(t, err)
	if n.Count != 0 {
		t.Fatalf("pending %d", n.Count)
	}
}
