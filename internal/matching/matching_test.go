package matching

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/store"
)

func TestPoll(t *testing.T) {
	key := Key{Kind: store.ActivityTask, Domain: "d", TaskList: "t"}
	clk := clock.NewFake(time.Unix(0, 0))
	m := New(clk, time.Hour, PollerLimit{})

	type result struct {
		ok    bool
		calls int32
	}
	poll := func(ready *atomic.Bool) chan result {
		out := make(chan result, 1)
		var calls atomic.Int32
		go func() {
			ok, err := m.Poll(context.Background(), key, time.Minute, func(context.Context, *store.Task) (bool, error) {
				calls.Add(1)
				return ready.Load(), nil
			})
			if err != nil {
				t.Error(err)
			}
			out <- result{ok, calls.Load()}
		}()
		return out
	}
	wait := func(ch chan result) result {
		t.Helper()
		select {
		case r := <-ch:
			return r
		case <-time.After(5 * time.Second):
			t.Fatal("poll did not return")
			return result{}
		}
	}

	// A notification wakes a waiting poller, which takes the task.
	var ready atomic.Bool
	ch := poll(&ready)
	time.Sleep(20 * time.Millisecond)
	ready.Store(true)
	m.Notify(key)
	if r := wait(ch); !r.ok || r.calls != 2 {
		t.Fatalf("woken poll: %+v", r)
	}

	// A notification of another task list does not.
	ready.Store(false)
	ch = poll(&ready)
	time.Sleep(20 * time.Millisecond)
	m.Notify(Key{Kind: store.DecisionTask, Domain: "d", TaskList: "t"})
	time.Sleep(20 * time.Millisecond)
	select {
	case r := <-ch:
		t.Fatalf("woken by another list: %+v", r)
	default:
	}
	// The hold ends it, empty-handed.
	clk.Advance(time.Minute)
	if r := wait(ch); r.ok {
		t.Fatalf("poll after hold: %+v", r)
	}

	// One notification wakes one poller; a wake-up a poller leaves unused
	// passes to the next.
	ready.Store(false)
	var first, second atomic.Bool
	a, b := poll(&first), poll(&second)
	time.Sleep(20 * time.Millisecond)
	first.Store(true)
	second.Store(true)
	m.Notify(key)
	var r1, r2 result
	select {
	case r1 = <-a:
		m.Notify(key)
		r2 = wait(b)
	case r1 = <-b:
		m.Notify(key)
		r2 = wait(a)
	case <-time.After(5 * time.Second):
		t.Fatal("no poll woke")
	}
	if !r1.ok || !r2.ok {
		t.Fatalf("polls after two notifications: %+v %+v", r1, r2)
	}

	// Close ends waiting polls and refuses new ones.
	ch = poll(&ready)
	time.Sleep(20 * time.Millisecond)
	m.Close()
	if r := wait(ch); r.ok {
		t.Fatal("poll after Close took a task")
	}
	if r := wait(poll(&ready)); r.ok || r.calls != 0 {
		t.Fatalf("poll after Close: %+v", r)
	}
}

func TestOffer(t *testing.T) {
	key := Key{Kind: store.DecisionTask, Domain: "d", TaskList: "t"}
	clk := clock.NewFake(time.Unix(0, 0))
	m := New(clk, time.Hour, PollerLimit{})
	task := store.Task{Kind: store.DecisionTask, Domain: "d", TaskList: "t", RunID: "r", ScheduledEventID: 3}

	// poll records what each call of take was handed, and takes a task
	// only when it was handed one and accept says so.
	poll := func(ctx context.Context, accept bool) chan []*store.Task {
		out := make(chan []*store.Task, 1)
		go func() {
			var got []*store.Task
			_, err := m.Poll(ctx, key, time.Minute, func(_ context.Context, handed *store.Task) (bool, error) {
				got = append(got, handed)
				return handed != nil && accept, nil
			})
			if err != nil {
				t.Error(err)
			}
			out <- got
		}()
		return out
	}
	wait := func(ch chan []*store.Task) []*store.Task {
		t.Helper()
		select {
		case got := <-ch:
			return got
		case <-time.After(5 * time.Second):
			t.Fatal("poll did not return")
			return nil
		}
	}

	// The first look is in the store; an Offer hands the task over.
	ch := poll(context.Background(), true)
	time.Sleep(20 * time.Millisecond)
	m.Offer(key, task)
	got := wait(ch)
	if len(got) != 2 || got[0] != nil || got[1] == nil || *got[1] != task {
		t.Fatalf("handed: %v", got)
	}

	// A poller that goes away with a task handed to it passes the task to
	// another poller.
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan []*store.Task, 1)
	go func() {
		var got []*store.Task
		m.Poll(ctx, key, time.Minute, func(_ context.Context, handed *store.Task) (bool, error) {
			got = append(got, handed)
			if handed != nil {
				cancel() // the client leaves while the task is tried
			}
			return false, nil
		})
		gone <- got
	}()
	time.Sleep(20 * time.Millisecond)
	next := poll(context.Background(), true)
	time.Sleep(20 * time.Millisecond)
	m.Offer(key, task) // the longest-waiting poller is the one that leaves
	if got := wait(gone); len(got) != 2 || got[1] == nil {
		t.Fatalf("leaving poller: %v", got)
	}
	if got := wait(next); len(got) != 2 || got[1] == nil || *got[1] != task {
		t.Fatalf("next poller: %v", got)
	}
}

func TestPollerLimit(t *testing.T) {
	key := Key{Kind: store.ActivityTask, Domain: "d", TaskList: "t"}
	other := Key{Kind: store.DecisionTask, Domain: "d", TaskList: "t"}
	full := errors.New("full")
	var refusedKey Key
	m := New(clock.NewFake(time.Unix(0, 0)), time.Hour, PollerLimit{Max: 2, Refuse: func(k Key, max int) error {
		refusedKey = k
		if max != 2 {
			t.Errorf("max %d", max)
		}
		return full
	}})
	// wait starts a poll that waits until the matcher closes, and returns
	// once it is registered (take is called after that).
	done := make(chan error, 4)
	wait := func(k Key) {
		looked := make(chan struct{})
		var once sync.Once
		go func() {
			_, err := m.Poll(context.Background(), k, time.Hour, func(context.Context, *store.Task) (bool, error) {
				once.Do(func() { close(looked) })
				return false, nil
			})
			done <- err
		}()
		select {
		case <-looked:
		case <-time.After(5 * time.Second):
			t.Fatal("poll did not start")
		}
	}
	wait(key)
	wait(key)
	// A third poller of the task list is refused at once, without looking.
	_, err := m.Poll(context.Background(), key, time.Hour, func(context.Context, *store.Task) (bool, error) {
		t.Error("a refused poll looked for a task")
		return false, nil
	})
	if err != full || refusedKey != key {
		t.Fatalf("third poll: %v for %v", err, refusedKey)
	}
	// Another task list (here: of the other kind) has its own count.
	wait(other)
	m.Close()
	for range 3 {
		if err := <-done; err != nil {
			t.Errorf("waiting poll: %v", err)
		}
	}
	// Without a Refuse, the error is ErrTooManyPollers.
	m = New(clock.NewFake(time.Unix(0, 0)), time.Hour, PollerLimit{Max: 1})
	wait(key)
	if _, err := m.Poll(context.Background(), key, time.Hour, nil); !errors.Is(err, ErrTooManyPollers) {
		t.Fatalf("second poll: %v", err)
	}
	m.Close()
	<-done
}

// NotifyAll wakes a waiting poller of every task list to look; Offer says
// whether any poller of the task list was waiting.
func TestNotifyAllAndOfferTaken(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	m := New(clk, time.Hour, PollerLimit{})
	keys := []Key{{Kind: store.ActivityTask, Domain: "d", TaskList: "a"}, {Kind: store.DecisionTask, Domain: "d", TaskList: "b"}}
	if m.Offer(keys[0], store.Task{}) {
		t.Error("Offer with no poller waiting reported a taker")
	}
	var ready atomic.Bool
	done := make(chan bool, len(keys))
	var joined sync.WaitGroup
	for _, k := range keys {
		joined.Add(1)
		go func() {
			first := true
			ok, _ := m.Poll(context.Background(), k, time.Minute, func(context.Context, *store.Task) (bool, error) {
				if first {
					first = false
					joined.Done()
				}
				return ready.Load(), nil
			})
			done <- ok
		}()
	}
	joined.Wait()
	time.Sleep(10 * time.Millisecond) // both wait now
	ready.Store(true)
	m.NotifyAll()
	for range keys {
		select {
		case ok := <-done:
			if !ok {
				t.Error("a poll woken by NotifyAll took nothing")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("NotifyAll did not wake every poller")
		}
	}
}

// TestKnownEmpty: a poll arriving at a queue that a read found empty waits
// without looking, until a task may have been left there unheld, or the
// recheck interval has passed.
func TestKnownEmpty(t *testing.T) {
	key := Key{Kind: store.DecisionTask, Domain: "d", TaskList: "t"}
	other := Key{Kind: store.DecisionTask, Domain: "d", TaskList: "u"}
	clk := clock.NewFake(time.Unix(0, 0))
	m := New(clk, time.Second, PollerLimit{})

	// looks reports whether a poll arriving now calls take before waiting.
	looks := func() bool {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		var called atomic.Bool
		done := make(chan struct{})
		go func() {
			defer close(done)
			m.Poll(ctx, key, time.Minute, func(context.Context, *store.Task) (bool, error) {
				called.Store(true)
				return false, nil
			})
		}()
		// Wait until the poll has joined (and looked, if it looks).
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			m.mu.Lock()
			n := len(m.waiters[key])
			m.mu.Unlock()
			if n == 1 || time.Now().After(deadline) {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
		cancel()
		<-done
		return called.Load()
	}

	if !looks() {
		t.Fatal("a poll of a task list never read looked nowhere")
	}
	m.Empty(key, m.QueueGen(key))
	if looks() {
		t.Fatal("a poll of a queue found empty read it again")
	}

	// A task offered with nobody waiting is left in the queue.
	m.Offer(key, store.Task{RunID: "r"})
	if !looks() {
		t.Fatal("a poll after an unheld task did not look")
	}

	// A read that began before a task was left cannot mark the queue clean.
	gen := m.QueueGen(key)
	m.Notify(key)
	m.Empty(key, gen)
	if !looks() {
		t.Fatal("a stale read marked the queue clean")
	}

	// Another task list's task changes nothing here.
	m.Empty(key, m.QueueGen(key))
	m.Offer(other, store.Task{RunID: "r"})
	if looks() {
		t.Fatal("another task list's task made this queue dirty")
	}

	// Cleanliness lasts one recheck interval.
	clk.Advance(time.Second)
	if !looks() {
		t.Fatal("a queue clean for a whole recheck interval was not read")
	}

	// Word of missed tasks (a node re-listening) makes every queue dirty.
	m.Empty(key, m.QueueGen(key))
	m.NotifyAll()
	if !looks() {
		t.Fatal("a poll after NotifyAll did not look")
	}

	// Nor can a read that began before the queue was forgotten, once
	// another poller has had it remembered again.
	gen = m.QueueGen(key)
	m.NotifyAll()
	m.QueueGen(key)
	m.Empty(key, gen)
	if !looks() {
		t.Fatal("a read begun before NotifyAll marked the queue clean")
	}
}
