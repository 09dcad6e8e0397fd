package main

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/aws/smithy-go"

	"github.com/openswf/openswf/internal/store/dsn"
	"github.com/openswf/openswf/internal/store/pgtest"
	"github.com/openswf/openswf/swftest"
)

// TestDatabaseRestart stops PostgreSQL under load and starts it again.
// While it is down every request answers promptly (well within the
// connect and statement timeouts) with an error the SDKs retry:
// InternalFailure, HTTP 500. Once it is back the pool reconnects by
// itself and requests succeed within seconds, and the workflows started
// before, during and after are whole: every start that was acknowledged
// has a well-formed history.
func TestDatabaseRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("stops and starts PostgreSQL")
	}
	pg := pgtest.New()
	t.Cleanup(func() { pg.Close() })
	dbURL := pg.Database(t)
	ctx := context.Background()
	if _, err := dsn.Migrate(ctx, dbURL, nil); err != nil {
		t.Fatal(err)
	}
	cfg := defaultConfig()
	cfg.LogLevel = "error"
	cfg.Postgres.ConnectTimeout, cfg.Postgres.StatementTimeout = time.Second, 2*time.Second
	url := startServeOn(t, cfg, dbURL).url
	c := swftest.NewClient(url) // no retries: every answer is seen

	const dom = "restart"
	mustOK := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(dom), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	mustOK(err)
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String(dom), Name: aws.String("wf"), Version: aws.String("1"),
		DefaultTaskList: &types.TaskList{Name: aws.String("d")}, DefaultTaskStartToCloseTimeout: aws.String("30"),
		DefaultExecutionStartToCloseTimeout: aws.String("600"), DefaultChildPolicy: types.ChildPolicyTerminate})
	mustOK(err)

	type outcome struct {
		at, took time.Duration
		code     string // "" for success
		status   int
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
		acked    []string
		began    = time.Now()
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !closed(stop); i++ {
				id := "w" + string(rune('a'+w)) + "-" + time.Now().Format("150405.000000")
				t0 := time.Now()
				_, err := c.StartWorkflowExecution(ctx, &swf.StartWorkflowExecutionInput{Domain: aws.String(dom), WorkflowId: aws.String(id),
					WorkflowType: &types.WorkflowType{Name: aws.String("wf"), Version: aws.String("1")}})
				o := outcome{at: t0.Sub(began), took: time.Since(t0)}
				if err != nil {
					var apiErr smithy.APIError
					var respErr *smithyhttp.ResponseError
					if errors.As(err, &apiErr) {
						o.code = apiErr.ErrorCode()
					} else {
						o.code = err.Error()
					}
					if errors.As(err, &respErr) {
						o.status = respErr.HTTPStatusCode()
					}
				}
				mu.Lock()
				outcomes = append(outcomes, o)
				if err == nil {
					acked = append(acked, id)
				}
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	time.Sleep(time.Second)
	down := time.Since(began)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if err := pg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	up := time.Since(began)
	time.Sleep(5 * time.Second)
	close(stop)
	wg.Wait()

	var failed, late int
	var recovered time.Duration = -1
	var worst time.Duration
	for _, o := range outcomes {
		worst = max(worst, o.took)
		if o.code != "" {
			failed++
			if o.code != "InternalFailure" || o.status != 500 {
				t.Errorf("a request at %v failed with %q (HTTP %d), want InternalFailure (500)", o.at, o.code, o.status)
			}
			if o.at < down-100*time.Millisecond || o.at > up+5*time.Second {
				late++
			}
		} else if o.at > up && recovered < 0 {
			recovered = o.at - up
		}
	}
	if worst > 3500*time.Millisecond {
		t.Errorf("a request took %v: longer than the connect and statement timeouts allow", worst)
	}
	if recovered < 0 {
		t.Fatalf("no request succeeded in the 5 s after PostgreSQL came back (%d requests, %d failed)", len(outcomes), failed)
	}
	if failed == 0 {
		t.Errorf("no request failed while PostgreSQL was down: the test did not test")
	}
	if late > 0 {
		t.Errorf("%d requests failed outside the outage", late)
	}
	t.Logf("%d starts, %d failed while PostgreSQL was down (%v–%v); the slowest took %v; the first success came %v after it was back",
		len(outcomes), failed, down.Round(time.Millisecond), up.Round(time.Millisecond), worst.Round(time.Millisecond), recovered.Round(time.Millisecond))

	// Nothing half-written: every acknowledged start is a run with a
	// well-formed history (started, its first decision task scheduled).
	c = swftest.NewClient(url)
	since := &types.ExecutionTimeFilter{OldestDate: aws.Time(time.Unix(0, 0))}
	var listed []string
	p := swf.NewListOpenWorkflowExecutionsPaginator(c, &swf.ListOpenWorkflowExecutionsInput{Domain: aws.String(dom), StartTimeFilter: since})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		mustOK(err)
		for _, info := range page.ExecutionInfos {
			listed = append(listed, aws.ToString(info.Execution.WorkflowId))
			events := domainHistory(ctx, t, c, dom, info.Execution)
			if len(events) != 2 || events[0].EventType != types.EventTypeWorkflowExecutionStarted || events[1].EventType != types.EventTypeDecisionTaskScheduled {
				t.Errorf("%s: history %v", aws.ToString(info.Execution.WorkflowId), eventSummary(events))
			}
		}
	}
	for _, id := range acked {
		if !slices.Contains(listed, id) {
			t.Errorf("acknowledged start %s is not listed", id)
		}
	}
}
