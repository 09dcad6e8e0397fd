package service_test

import (
	"context"
	"errors"
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
