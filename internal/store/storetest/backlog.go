package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// testBacklogs: what waits in each task list, its count and the queue time
// of its oldest task, per domain or for all of them; a taken task no
// longer counts, and an empty task list is not reported.
func testBacklogs(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	must(t, "Ping", e.s.Ping(ctx))
	if got, err := e.s.Backlogs(ctx, ""); err != nil || len(got) != 0 {
		t.Fatalf("Backlogs of an empty store = %v, %v; want none", got, err)
	}

	q1 := t0.Add(time.Minute)
	q2 := t0.Add(2 * time.Minute)
	q3 := t0.Add(3 * time.Minute)
	r1 := e.create(runFixture("d", "w1", "r1", t0), func(ch *store.ExecutionChange) {
		x := ch.Execution
		ch.QueuedAt = q1
		ch.AddTasks = []store.Task{decisionTask(x, "tl", 0, 1), activityTask(x, "work", 0, 2)}
	})
	// A higher priority queued later: the oldest is still the first queued.
	r2 := e.create(runFixture("d", "w2", "r2", t0), func(ch *store.ExecutionChange) {
		x := ch.Execution
		ch.QueuedAt = q2
		ch.AddTasks = []store.Task{activityTask(x, "work", 9, 1), activityTask(x, "other", 0, 2)}
	})
	e.create(runFixture("c", "w1", "c1", t0), func(ch *store.ExecutionChange) {
		ch.QueuedAt = q3
		ch.AddTasks = []store.Task{decisionTask(ch.Execution, "tl", 0, 1)}
	})

	backlogs := func(domain string) []store.Backlog {
		t.Helper()
		got, err := e.s.Backlogs(ctx, domain)
		must(t, "Backlogs", err)
		return got
	}
	check := func(what string, got, want []store.Backlog) {
		t.Helper()
		if !slices.EqualFunc(got, want, func(a, b store.Backlog) bool {
			return a.Kind == b.Kind && a.Domain == b.Domain && a.TaskList == b.TaskList && a.Count == b.Count && a.Oldest.Equal(b.Oldest)
		}) {
			t.Errorf("%s = %+v, want %+v", what, got, want)
		}
	}
	ms := func(at time.Time) time.Time { return at.Truncate(time.Millisecond) }
	dWant := []store.Backlog{
		{Kind: store.ActivityTask, Domain: "d", TaskList: "other", Count: 1, Oldest: ms(q2)},
		{Kind: store.ActivityTask, Domain: "d", TaskList: "work", Count: 2, Oldest: ms(q1)},
		{Kind: store.DecisionTask, Domain: "d", TaskList: "tl", Count: 1, Oldest: ms(q1)},
	}
	cWant := []store.Backlog{{Kind: store.DecisionTask, Domain: "c", TaskList: "tl", Count: 1, Oldest: ms(q3)}}
	check(`Backlogs("d")`, backlogs("d"), dWant)
	check(`Backlogs("")`, backlogs(""), append(slices.Clone(cWant), dWant...))
	check(`Backlogs("none")`, backlogs("none"), nil)

	// The oldest task of "work" is taken: the next oldest is r2's.
	e.update(r1, func(ch *store.ExecutionChange) {
		ch.TakeTasks = []store.Task{activityTask(r1, "work", 0, 2), decisionTask(r1, "tl", 0, 1)}
		ch.Strict = true
	})
	e.update(r2, func(ch *store.ExecutionChange) {
		ch.TakeTasks = []store.Task{activityTask(r2, "other", 0, 2)}
		ch.Strict = true
	})
	check(`Backlogs("d") after polls`, backlogs("d"),
		[]store.Backlog{{Kind: store.ActivityTask, Domain: "d", TaskList: "work", Count: 1, Oldest: ms(q2)}})

	// Queue times survive a restart.
	e.reopen()
	check(`Backlogs("c") after a restart`, backlogs("c"), cWant)
	must(t, "Ping after a restart", e.s.Ping(ctx))
}
