package service_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/sqlite"
	"github.com/openswf/openswf/internal/swfapi"
)

// manyRuns is a store whose counts find more runs than they are asked to
// count, as a domain with millions of runs would.
type manyRuns struct {
	store.Store
	asked []int
}

func (m *manyRuns) CountExecutions(_ context.Context, q store.ExecutionQuery) (int, error) {
	m.asked = append(m.asked, q.CountLimit)
	if q.CountLimit <= 0 {
		return 5_000_000, nil
	}
	return q.CountLimit, nil
}

// TestCountTruncated: a count stops past store.CountLimit runs and answers
// the limit, truncated.
func TestCountTruncated(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "openswf.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := &manyRuns{Store: st}
	svc, err := service.New(t.Context(), service.Config{Region: "us-east-1", AccountID: "123456789012", Limits: service.DefaultLimits(), PollRecheck: time.Hour},
		m, clock.NewFake(time.Now()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RegisterDomain(t.Context(), &swfapi.RegisterDomainInput{Name: swfapi.Ptr("d"), WorkflowExecutionRetentionPeriodInDays: swfapi.Ptr("1")}); err != nil {
		t.Fatal(err)
	}
	since := &swfapi.ExecutionTimeFilter{OldestDate: swfapi.NewTimestamp(time.Unix(0, 0))}
	open, err := svc.CountOpenWorkflowExecutions(t.Context(), &swfapi.CountOpenWorkflowExecutionsInput{Domain: swfapi.Ptr("d"), StartTimeFilter: since})
	if err != nil {
		t.Fatal(err)
	}
	closed, err := svc.CountClosedWorkflowExecutions(t.Context(), &swfapi.CountClosedWorkflowExecutionsInput{Domain: swfapi.Ptr("d"), CloseTimeFilter: since})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []*swfapi.WorkflowExecutionCount{open, closed} {
		if *n.Count != store.CountLimit || !*n.Truncated {
			t.Errorf("count = %d, truncated %v; want %d, truncated", *n.Count, *n.Truncated, store.CountLimit)
		}
	}
	for _, limit := range m.asked {
		if limit != store.CountLimit+1 {
			t.Errorf("the service asked to count at most %d runs, want %d", limit, store.CountLimit+1)
		}
	}
}
