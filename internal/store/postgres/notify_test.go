package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func TestParseNotice(t *testing.T) {
	n := notice("n1", store.ActivityTask, "d", "tl")
	node, kind, d, tl, ok := parseNotice(n)
	if !ok || node != "n1" || kind != store.ActivityTask || d != "d" || tl != "tl" {
		t.Fatalf("parseNotice(%q) = %q %q %q %q %v", n, node, kind, d, tl, ok)
	}
	for _, bad := range []string{"", "n1\tactivity\td", "n1\tother\td\ttl", "n1\tactivity\td\ttl\tx"} {
		if _, _, _, _, ok := parseNotice(bad); ok {
			t.Errorf("parseNotice(%q) accepted", bad)
		}
	}
}

// TestListenTasks: a store hears of the task lists another store on the
// same database announces, and not of its own; after its listening
// connection is killed it listens again by itself.
func TestListenTasks(t *testing.T) {
	url := pg.Database(t)
	a, err := Open(t.Context(), url, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(t.Context(), url, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	heard := map[*Store]chan string{a: make(chan string, 16), b: make(chan string, 16)}
	for s, ch := range heard {
		go s.ListenTasks(ctx, func(kind store.TaskKind, domain, taskList string) { ch <- string(kind) + " " + domain + " " + taskList }, nil)
	}
	waitListening := func(s *Store) {
		for deadline := time.Now().Add(10 * time.Second); !s.listening.Load(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("not listening")
			}
		}
	}
	waitListening(a)
	waitListening(b)

	queue := func(i int, taskList string) {
		x := store.Execution{Domain: "d", WorkflowID: fmt.Sprint("w", i), RunID: fmt.Sprint("r", i), Version: 1, Open: true,
			State: []byte(`{}`), TypeName: "t", TypeVersion: "1", StartedAt: time.UnixMilli(1e12)}
		err := a.CreateExecution(t.Context(), store.ExecutionChange{Execution: x, Events: []store.Event{{ID: 1, Data: []byte(`{}`)}},
			AddTasks: []store.Task{{Kind: store.DecisionTask, TaskList: taskList, ScheduledEventID: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.NotifyTasks(t.Context(), store.DecisionTask, "d", taskList); err != nil {
			t.Fatal(err)
		}
	}
	want := func(what string) {
		t.Helper()
		select {
		case got := <-heard[b]:
			if got != what {
				t.Errorf("b heard %q, want %q", got, what)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("b did not hear of %q", what)
		}
	}
	queue(1, "tl-1")
	want("decision d tl-1")

	// Kill b's listening session: it must listen again, and hear the next.
	if _, err := a.pool.Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN `+tasksChannel+`' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("b did not listen again")
		}
		queue(int(time.Now().UnixNano()), "tl-2")
		select {
		case got := <-heard[b]:
			if got != "decision d tl-2" {
				t.Errorf("b heard %q", got)
			}
		case <-time.After(200 * time.Millisecond):
			continue
		}
		break
	}
	// a never hears its own.
	select {
	case got := <-heard[a]:
		t.Errorf("a heard its own notice %q", got)
	default:
	}
}
