// Command children runs a parent workflow that starts three child
// workflows, each of which squares its input with an activity; the parent
// completes with the sum of their results once every child has closed.
//
//	go run ./cmd/openswf &
//	go run ./examples/children --endpoint http://127.0.0.1:7930
package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/examples/internal/demo"
	"github.com/openswf/openswf/worker"
)

func main() { demo.Main(run) }

const domain = "examples"

func run(ctx context.Context, endpoint string, out io.Writer) error {
	result, err := children(ctx, demo.Client(endpoint), "1 2 3")
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "result:", result)
	return nil
}

// decide is the decider of both workflow types: "sum-of-squares" starts one
// "square" child per number of its input and adds up their results;
// "square" runs the activity "square" and completes with its result.
func decide(ctx context.Context, t *worker.DecisionTask) ([]types.Decision, error) {
	switch aws.ToString(t.WorkflowType.Name) {
	case "square":
		a := t.Activities()["square"]
		switch {
		case a == nil:
			return []types.Decision{worker.ScheduleActivity("square", "square", "1", t.Input())}, nil
		case a.Status == worker.StatusCompleted:
			return []types.Decision{worker.CompleteWorkflow(a.Result)}, nil
		case a.Status.Closed():
			return []types.Decision{worker.FailWorkflow("square "+string(a.Status), a.Reason)}, nil
		}
		return nil, nil
	case "sum-of-squares":
		numbers := strings.Fields(t.Input())
		children := t.Children()
		if len(children) == 0 {
			var ds []types.Decision
			for i, n := range numbers {
				// Child ids are the parent's, suffixed: unique in the
				// domain, and the same every time this history is read.
				id := aws.ToString(t.WorkflowExecution.WorkflowId) + "-" + strconv.Itoa(i)
				ds = append(ds, worker.StartChildWorkflow(id, "square", "1", n))
			}
			return ds, nil
		}
		sum := 0
		var terms []string
		for i, n := range numbers {
			c := children[aws.ToString(t.WorkflowExecution.WorkflowId)+"-"+strconv.Itoa(i)]
			switch {
			case c == nil || !c.Status.Closed():
				return nil, nil // wait for every child
			case c.Status != worker.StatusCompleted:
				return []types.Decision{worker.FailWorkflow("child "+c.WorkflowID+" "+string(c.Status), c.Reason+c.Cause)}, nil
			}
			v, err := strconv.Atoi(c.Result)
			if err != nil {
				return []types.Decision{worker.FailWorkflow("child "+c.WorkflowID+" answered "+c.Result, "")}, nil
			}
			sum += v
			terms = append(terms, n+"²")
		}
		return []types.Decision{worker.CompleteWorkflow(fmt.Sprintf("%s = %d", strings.Join(terms, " + "), sum))}, nil
	}
	return nil, fmt.Errorf("no decider for workflow type %s", aws.ToString(t.WorkflowType.Name))
}

func children(ctx context.Context, c *swf.Client, input string) (string, error) {
	err := demo.Register(ctx, c, domain,
		[]demo.Workflow{{Name: "sum-of-squares", TaskList: "children-decisions", TaskTimeout: "10"}, {Name: "square", TaskList: "children-decisions", TaskTimeout: "10"}},
		[]demo.Activity{{Name: "square", TaskList: "children-work", HeartbeatTimeout: "NONE", StartToClose: "60"}})
	if err != nil {
		return "", err
	}
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	d, err := worker.NewDecider(c, worker.Options{Domain: domain, TaskList: "children-decisions", Concurrency: 2}, decide)
	if err != nil {
		return "", err
	}
	w, err := worker.NewActivityWorker(c, worker.Options{Domain: domain, TaskList: "children-work", Concurrency: 3})
	if err != nil {
		return "", err
	}
	err = w.Register(worker.Activity{Name: "square", Version: "1", Func: func(ctx context.Context, t *worker.ActivityTask) (string, error) {
		n, err := strconv.Atoi(t.Input)
		if err != nil {
			return "", &worker.ActivityError{Reason: "not a number", Details: t.Input}
		}
		return strconv.Itoa(n * n), nil
	}})
	if err != nil {
		return "", err
	}
	go d.Run(workCtx)
	go w.Run(workCtx)

	return demo.Run(ctx, c, domain, "sum-of-squares", "sum", input)
}
