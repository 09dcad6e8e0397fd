package storetest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// The visibility scale test: a domain with many runs, written in bulk by
// the backend's own test (SQL is the quick way to write a million rows),
// then every list filter, in both orders, a page and twenty pages deep,
// and every count, timed, with the backend's plan of each query printed
// and checked. It runs only when OPENSWF_VISIBILITY_SCALE names the number
// of closed runs (a tenth as many are open):
//
//	OPENSWF_VISIBILITY_SCALE=1000000 go test -run TestVisibilityScale -v -timeout 1h ./internal/store/sqlite/
//	OPENSWF_VISIBILITY_SCALE=100000 go test -run TestVisibilityScale -v -timeout 1h ./internal/store/postgres/

// Scale is the size of the scale test's domain.
type Scale struct {
	Closed, Open int
}

// ScaleFromEnv reads OPENSWF_VISIBILITY_SCALE and skips the test when it
// is not set.
func ScaleFromEnv(t *testing.T) Scale {
	n, _ := strconv.Atoi(os.Getenv("OPENSWF_VISIBILITY_SCALE"))
	if n <= 0 {
		t.Skip("set OPENSWF_VISIBILITY_SCALE to a number of closed runs (say 1000000)")
	}
	return Scale{Closed: n, Open: max(n/10, 1)}
}

// The scale test's runs, which the backends' bulk SQL writes as ScaleRun
// describes them.
const (
	ScaleDomain = "scale"
	// ScaleT0Millis is when the first run starts; the runs' starts spread
	// evenly over ScaleSpanMillis after it.
	ScaleT0Millis   = 1_700_000_000_000
	ScaleSpanMillis = 365 * 24 * 3600 * 1000
	// ScaleWorkflows is how many workflow ids the closed runs share, but
	// for every thousandth, whose workflow id is "hot".
	ScaleWorkflows = 100_000
)

// ScaleStatuses are the close statuses the closed runs take in turn.
var ScaleStatuses = []string{"COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT"}

// ScaleRun is run i (from 1) of the scale test, closed or open, as the
// store holds it; its State is 64 zero bytes.
//
//	run id       "c<i>" closed, "o<i>" open
//	workflow id  closed: "hot" when i%1000 = 0, else "w<i%100000>"; open: "ow<i>"
//	type         "type<i%4>", version "<(i/4)%2+1>"
//	start        T0 + i*span/n (n: the number of closed, or open, runs)
//	close        start + (i%86400) s, status ScaleStatuses[(i/3)%6]
//	tags         none when i%3 = 0; ["g<i%10>"] when 1; ["g<i%10>", "all"] when 2
func ScaleRun(sc Scale, i int, open bool) store.Execution {
	n, prefix := sc.Closed, "c"
	if open {
		n, prefix = sc.Open, "o"
	}
	x := store.Execution{
		Domain: ScaleDomain, RunID: prefix + strconv.Itoa(i), Version: 1, Open: open, State: make([]byte, 64),
		TypeName: "type" + strconv.Itoa(i%4), TypeVersion: strconv.Itoa((i/4)%2 + 1),
		StartedAt: time.UnixMilli(ScaleT0Millis + int64(i)*ScaleSpanMillis/int64(n)).UTC(),
	}
	switch i % 3 {
	case 1:
		x.TagList = []string{"g" + strconv.Itoa(i%10)}
	case 2:
		x.TagList = []string{"g" + strconv.Itoa(i%10), "all"}
	}
	if open {
		x.WorkflowID = "ow" + strconv.Itoa(i)
		return x
	}
	x.WorkflowID = "w" + strconv.Itoa(i%ScaleWorkflows)
	if i%1000 == 0 {
		x.WorkflowID = "hot"
	}
	x.ClosedAt = x.StartedAt.Add(time.Duration(i%86400) * time.Second)
	x.CloseStatus = ScaleStatuses[(i/3)%6]
	return x
}

// Explainer returns the backend's plan of the statement ListExecutions
// (or, when count, CountExecutions) runs for q, and what is wrong with it
// (a scan of a table, a sort of the whole set), if anything.
type Explainer func(ctx context.Context, q store.ExecutionQuery, count bool) (plan string, problem string)

// The targets of the scale test.
const (
	scaleListTarget  = 50 * time.Millisecond
	scaleCountTarget = 100 * time.Millisecond
	scalePages       = 20
	scalePageSize    = 100
)

// VisibilityScale checks the bulk rows against ScaleRun, then times every
// filter's pages and counts on s, printing each query's plan.
func VisibilityScale(t *testing.T, s store.Store, sc Scale, explain Explainer, countLimit int) {
	ctx := t.Context()
	for _, i := range []int{1, 2, 3, 1000, sc.Closed} {
		want := ScaleRun(sc, i, false)
		got, _, err := s.GetRun(ctx, want.RunID)
		must(t, "GetRun", err)
		if !sameExecution(got, want) {
			t.Fatalf("bulk run %d is\n\t%+v\nnot as the store writes it:\n\t%+v", i, got, want)
		}
	}
	want := ScaleRun(sc, sc.Open, true)
	got, _, err := s.GetRun(ctx, want.RunID)
	must(t, "GetRun", err)
	if !sameExecution(got, want) {
		t.Fatalf("bulk open run is\n\t%+v\nnot as the store writes it:\n\t%+v", got, want)
	}

	t0 := time.UnixMilli(ScaleT0Millis).UTC()
	type filter struct {
		name string
		set  func(*store.ExecutionQuery)
	}
	none := filter{"none", func(*store.ExecutionQuery) {}}
	filters := func(workflowID string, closed bool) []filter {
		fs := []filter{
			none,
			{"workflowId " + workflowID, func(q *store.ExecutionQuery) { q.WorkflowID = workflowID }},
			{"type name", func(q *store.ExecutionQuery) { q.TypeName = "type1" }},
			{"type name+version", func(q *store.ExecutionQuery) { q.TypeName, q.TypeVersion = "type1", "2" }},
			{"tag g1 (1/15)", func(q *store.ExecutionQuery) { q.Tag = ptr("g1") }},
			{"tag all (1/3)", func(q *store.ExecutionQuery) { q.Tag = ptr("all") }},
		}
		if closed {
			fs = append(fs, filter{"closeStatus FAILED", func(q *store.ExecutionQuery) { q.CloseStatus = "FAILED" }})
		}
		return fs
	}
	type listing struct {
		name string
		q    store.ExecutionQuery
		fs   []filter
	}
	listings := []listing{
		{"open by start", store.ExecutionQuery{Domain: ScaleDomain, Oldest: t0}, filters("ow5", false)},
		{"closed by start", store.ExecutionQuery{Domain: ScaleDomain, Closed: true, Oldest: t0}, filters("hot", true)},
		{"closed by close", store.ExecutionQuery{Domain: ScaleDomain, Closed: true, ByClose: true, Oldest: t0}, filters("hot", true)},
	}
	// A window of a month in the middle of the year, as a console asks.
	month := int64(30 * 24 * 3600 * 1000)
	mid := time.UnixMilli(ScaleT0Millis + ScaleSpanMillis/2).UTC()
	for _, l := range slices.Clone(listings) {
		l.name += ", a month's window"
		l.q.Oldest, l.q.Latest = mid, mid.Add(time.Duration(month)*time.Millisecond)
		l.fs = []filter{none, l.fs[2], l.fs[4]}
		listings = append(listings, l)
	}

	var worstList, worstCount time.Duration
	plans := map[string]bool{}
	report := func(q store.ExecutionQuery, count bool) {
		plan, problem := explain(ctx, q, count)
		if problem != "" {
			t.Errorf("plan of %+v (count %v): %s\n%s", q, count, problem, plan)
		}
		if !plans[plan] {
			plans[plan] = true
			t.Logf("    plan:\n%s", indent(plan, "      "))
		}
	}
	for _, l := range listings {
		for _, f := range l.fs {
			q := l.q
			f.set(&q)
			t.Logf("%s, filter %s:", l.name, f.name)
			for _, asc := range []bool{false, true} {
				q.Ascending = asc
				page := q
				page.Limit = scalePageSize + 1 // as the service asks, to know if there is more
				var first, deep, worst time.Duration
				pages, rows := 0, 0
				for pages < scalePages {
					begin := time.Now()
					runs, err := s.ListExecutions(ctx, page)
					took := time.Since(begin)
					must(t, "ListExecutions", err)
					pages++
					if pages == 1 {
						first = took
						report(page, false)
					}
					deep, worst = took, max(worst, took)
					if len(runs) <= scalePageSize {
						rows += len(runs)
						break
					}
					rows += scalePageSize
					last := runs[scalePageSize-1]
					page.AfterTime, page.AfterRunID = last.StartedAt, last.RunID
					if q.ByClose {
						page.AfterTime = last.ClosedAt
					}
					if pages == 2 {
						report(page, false) // with a page position
					}
				}
				worstList = max(worstList, worst)
				t.Logf("  %-10s first page %7s, page %2d %7s, worst page %7s (%d rows)%s",
					pick(asc, "oldest", "newest"), ms3(first), pages, ms3(deep), ms3(worst), rows, slow(worst, scaleListTarget))
			}
			q.Ascending = false
			begin := time.Now()
			n, err := s.CountExecutions(ctx, q)
			took := time.Since(begin)
			must(t, "CountExecutions", err)
			capped := q
			capped.CountLimit = countLimit + 1
			begin = time.Now()
			nc, err := s.CountExecutions(ctx, capped)
			tookCapped := time.Since(begin)
			must(t, "CountExecutions", err)
			worstCount = max(worstCount, tookCapped)
			report(capped, true)
			t.Logf("  count %d in %s; counting at most %d: %d in %s%s", n, ms3(took), countLimit+1, nc, ms3(tookCapped), slow(tookCapped, scaleCountTarget))
		}
	}
	t.Logf("worst page %s (target %s), worst count %s (target %s), counts capped at %d",
		ms3(worstList), scaleListTarget, ms3(worstCount), scaleCountTarget, countLimit)
	if worstList > scaleListTarget || worstCount > scaleCountTarget {
		t.Errorf("over target: worst page %s, worst count %s", ms3(worstList), ms3(worstCount))
	}
}

func ms3(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func slow(d, target time.Duration) string {
	if d > target {
		return "  SLOW"
	}
	return ""
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}
