package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
)

// TestPollUnknownDomain: a poll of a domain that does not exist is refused,
// and stops being refused once the domain is registered (the node keeps the
// domains it has seen, never the ones it has not).
func TestPollUnknownDomain(t *testing.T) {
	w := newWorld(t)
	tl := &types.TaskList{Name: aws.String("tl")}
	for range 2 {
		_, err := w.c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String("later"), TaskList: tl})
		wantFault(t, err, "UnknownResourceFault", "")
		_, err = w.c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String("later"), TaskList: tl})
		wantFault(t, err, "UnknownResourceFault", "")
	}
	registerDomain(t, w.c, "later")
	// Now the poll waits for a task (the server's clock is fake, so it
	// waits until the client gives up) instead of being refused.
	c, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err := w.c.PollForDecisionTask(c, &swf.PollForDecisionTaskInput{Domain: aws.String("later"), TaskList: tl})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("poll of a registered domain: %v, want the client's deadline", err)
	}
}

// TestDecisionTaskHistory: the history a decision task carries, whether
// the node answers it from the history it knows or from the store, is the
// history GetWorkflowExecutionHistory gives, page by page, in both orders.
func TestDecisionTaskHistory(t *testing.T) {
	w := newWorld(t)
	for _, reverse := range []bool{false, true} {
		ex := w.start(fmt.Sprint("history-", reverse))
		d := w.pollDecision()
		w.decide(d.TaskToken, scheduleActivity("a1"), scheduleActivity("a2"))
		for range 2 {
			a := w.pollActivity()
			_, err := w.c.RespondActivityTaskCompleted(ctx, &swf.RespondActivityTaskCompletedInput{TaskToken: a.TaskToken, Result: aws.String("r")})
			must(t, err)
		}

		in := &swf.PollForDecisionTaskInput{Domain: aws.String(dom), TaskList: &types.TaskList{Name: aws.String(deciders)}, MaximumPageSize: 3, ReverseOrder: reverse}
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		first, err := w.c.PollForDecisionTask(c, in)
		cancel()
		must(t, err)
		if first.TaskToken == nil {
			t.Fatal("empty decision task")
		}
		got := first.Events
		for page := first; page.NextPageToken != nil; {
			next := *in
			next.NextPageToken = page.NextPageToken
			page, err = w.c.PollForDecisionTask(ctx, &next)
			must(t, err)
			got = append(got, page.Events...)
		}
		expect := w.history(ex) // the task's start is the last event
		if n := len(expect); n < 10 || expect[n-1].EventId != first.StartedEventId {
			t.Fatalf("history %v, task started at %d", eventTypes(expect), first.StartedEventId)
		}
		if reverse {
			slices.Reverse(expect)
		}
		if len(got) != len(expect) {
			t.Fatalf("reverse %v: %d events, want %d", reverse, len(got), len(expect))
		}
		for i := range got {
			g, e := eventJSON(t, got[i]), eventJSON(t, expect[i])
			if g != e {
				t.Fatalf("reverse %v: event %d:\n got  %s\n want %s", reverse, i, g, e)
			}
		}
		w.decide(first.TaskToken, completeWorkflow("ok"))
	}
}

func eventJSON(t *testing.T, e types.HistoryEvent) string {
	t.Helper()
	b, err := json.Marshal(e)
	must(t, err)
	return string(b)
}

// TestPollTaskListNames: a poll names its task list under SWF's name rule
// (and an activity poll's may not start or end with white space), judged
// before the domain is looked at.
func TestPollTaskListNames(t *testing.T) {
	w := newWorld(t)
	for _, name := range []string{"a:b", "arn", "a|b", "a\x01b", " lead", "trail\t"} {
		_, err := w.c.PollForActivityTask(ctx, &swf.PollForActivityTaskInput{Domain: aws.String("no-such-domain"), TaskList: &types.TaskList{Name: aws.String(name)}})
		wantFault(t, err, "ValidationException", "at 'taskList.name' failed to satisfy constraint")
	}
	for _, name := range []string{"a:b", "arn", "a/b", "a\x7fb"} {
		_, err := w.c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String("no-such-domain"), TaskList: &types.TaskList{Name: aws.String(name)}})
		wantFault(t, err, "ValidationException", "at 'taskList.name' failed to satisfy constraint")
	}
	// The model gives the decision poll no white space rule.
	_, err := w.c.PollForDecisionTask(ctx, &swf.PollForDecisionTaskInput{Domain: aws.String("no-such-domain"), TaskList: &types.TaskList{Name: aws.String(" lead")}})
	wantFault(t, err, "UnknownResourceFault", "")
}
