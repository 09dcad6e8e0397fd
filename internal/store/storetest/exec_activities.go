package storetest

import (
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func activityFixture(runID string, scheduled, started int64) store.Activity {
	return store.Activity{
		RunID:            runID,
		ScheduledEventID: scheduled,
		StartedEventID:   started,
		StartedAt:        t0,
		HeartbeatTimeout: time.Minute,
		Deadline:         t0.Add(time.Hour),
	}
}

func testActivities(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	a5, a7 := activityFixture("r", 5, 6), activityFixture("r", 7, 8)
	a7.HeartbeatTimeout, a7.Deadline = 0, time.Time{}
	x := e.create(runFixture("d", "w", "r", t0), func(ch *store.ExecutionChange) {
		ch.PutActivities = []store.Activity{a7, a5}
	})
	// Activity rows are the run's own.
	e.create(runFixture("d", "w2", "r2", t0), func(ch *store.ExecutionChange) {
		ch.PutActivities = []store.Activity{activityFixture("r2", 5, 6)}
	})
	_, acts := e.getRun("r")
	e.wantActivities(acts, []store.Activity{a5, a7})

	beat := t0.Add(time.Second)
	_, err := e.s.Heartbeat(ctx, "r", 5, 6, ptr("progress"), beat)
	must(t, "Heartbeat", err)
	a5.HeartbeatAt, a5.HeartbeatDetails = beat, ptr("progress")
	_, acts, err = e.s.GetExecution(ctx, "d", "w", "")
	must(t, "GetExecution", err)
	e.wantActivities(acts, []store.Activity{a5, a7})

	// An update of the same attempt keeps its heartbeat.
	x = e.update(x, func(ch *store.ExecutionChange) {
		up := activityFixture("r", 5, 6)
		up.CancelRequested = true
		up.Deadline = t0.Add(2 * time.Hour)
		ch.PutActivities = []store.Activity{up}
	})
	a5.CancelRequested, a5.Deadline = true, t0.Add(2*time.Hour)
	_, acts = e.getRun("r")
	e.wantActivities(acts, []store.Activity{a5, a7})

	// A new attempt starts without one.
	x = e.update(x, func(ch *store.ExecutionChange) {
		retry := activityFixture("r", 5, 9)
		retry.StartedAt = t0.Add(time.Minute)
		ch.PutActivities = []store.Activity{retry}
	})
	a5 = activityFixture("r", 5, 9)
	a5.StartedAt = t0.Add(time.Minute)
	_, acts = e.getRun("r")
	e.wantActivities(acts, []store.Activity{a5, a7})

	// Removing, and removing then putting again in one change.
	e.update(x, func(ch *store.ExecutionChange) {
		ch.RemoveActivities = []int64{7, 5, 99}
		ch.PutActivities = []store.Activity{activityFixture("r", 5, 10)}
	})
	_, acts = e.getRun("r")
	e.wantActivities(acts, []store.Activity{activityFixture("r", 5, 10)})
	_, acts = e.getRun("r2")
	e.wantActivities(acts, []store.Activity{activityFixture("r2", 5, 6)})
}

func testHeartbeat(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	rows := []store.Activity{
		// Heartbeat timeout 60s, deadline 300s after start.
		{RunID: "r", ScheduledEventID: 5, StartedEventID: 6, StartedAt: t0, HeartbeatTimeout: time.Minute, Deadline: at(300)},
		// Neither.
		{RunID: "r", ScheduledEventID: 7, StartedEventID: 8, StartedAt: t0},
		// Cancel requested.
		{RunID: "r", ScheduledEventID: 9, StartedEventID: 10, StartedAt: t0, CancelRequested: true},
	}
	x := e.create(runFixture("d", "w", "r", t0), func(ch *store.ExecutionChange) { ch.PutActivities = rows })

	type beat struct {
		sched, started int64
		details        *string
		at             time.Time
		wantCancel     bool
		wantErr        error
	}
	tests := []struct {
		name  string
		beats []beat
		// The row of activity 5 after the beats, when it matters.
		wantAt      time.Time
		wantDetails *string
	}{
		{"within the timeout", []beat{{5, 6, ptr("a"), at(59), false, nil}}, at(59), ptr("a")},
		// A limit reached is passed: the timeout's timer is due then.
		{"at the timeout from start", []beat{{5, 6, ptr("a"), at(60), false, store.ErrNotFound}}, time.Time{}, nil},
		{"nil details keep the last", []beat{
			{5, 6, ptr("a"), at(50), false, nil},
			{5, 6, nil, at(100), false, nil},
		}, at(100), ptr("a")},
		{"empty details replace them", []beat{
			{5, 6, ptr("a"), at(50), false, nil},
			{5, 6, ptr(""), at(100), false, nil},
		}, at(100), ptr("")},
		{"a heartbeat moves the timeout", []beat{
			{5, 6, nil, at(50), false, nil},
			{5, 6, nil, at(109), false, nil},
			{5, 6, nil, at(168), false, nil},
			{5, 6, ptr("late"), at(228), false, store.ErrNotFound},
		}, at(168), nil},
		{"before the deadline", []beat{
			{5, 6, nil, at(50), false, nil}, {5, 6, nil, at(100), false, nil}, {5, 6, nil, at(150), false, nil},
			{5, 6, nil, at(200), false, nil}, {5, 6, nil, at(250), false, nil},
			{5, 6, nil, t0.Add(300*time.Second - time.Millisecond), false, nil},
		}, t0.Add(300*time.Second - time.Millisecond), nil},
		{"at the deadline", []beat{
			{5, 6, nil, at(50), false, nil}, {5, 6, nil, at(100), false, nil}, {5, 6, nil, at(150), false, nil},
			{5, 6, nil, at(200), false, nil}, {5, 6, nil, at(250), false, nil}, {5, 6, nil, at(300), false, store.ErrNotFound},
		}, at(250), nil},
		{"no timeouts", []beat{{7, 8, ptr("x"), at(100000), false, nil}}, time.Time{}, nil},
		{"cancel requested", []beat{{9, 10, ptr("x"), at(1), true, nil}}, time.Time{}, nil},
		{"stale attempt", []beat{{5, 5, ptr("x"), at(1), false, store.ErrNotFound}}, time.Time{}, nil},
		{"newer attempt", []beat{{5, 7, ptr("x"), at(1), false, store.ErrNotFound}}, time.Time{}, nil},
		{"no such activity", []beat{{6, 6, ptr("x"), at(1), false, store.ErrNotFound}}, time.Time{}, nil},
	}
	for _, tt := range tests {
		// Each case starts from the rows as created.
		x = e.update(x, func(ch *store.ExecutionChange) {
			ch.RemoveActivities = []int64{5, 7, 9}
			ch.PutActivities = rows
		})
		for i, bt := range tt.beats {
			cancel, err := e.s.Heartbeat(ctx, "r", bt.sched, bt.started, bt.details, bt.at)
			wantErr(t, tt.name+": Heartbeat", err, bt.wantErr)
			if err == nil && cancel != bt.wantCancel {
				t.Errorf("%s: beat %d: cancel requested = %v, want %v", tt.name, i, cancel, bt.wantCancel)
			}
		}
		got, acts := e.getRun("r")
		if got.Version != x.Version {
			t.Errorf("%s: heartbeats moved the run from version %d to %d", tt.name, x.Version, got.Version)
		}
		if tt.beats[0].sched == 5 {
			want := rows[0]
			want.HeartbeatAt, want.HeartbeatDetails = tt.wantAt, tt.wantDetails
			e.wantActivities(acts[:1], []store.Activity{want})
		}
	}

	_, err := e.s.Heartbeat(ctx, "missing", 5, 6, nil, at(1))
	wantErr(t, "Heartbeat of a missing run", err, store.ErrNotFound)
	// A closed activity's row is gone, and so are its heartbeats.
	x = e.update(x, func(ch *store.ExecutionChange) { ch.RemoveActivities = []int64{5} })
	_, err = e.s.Heartbeat(ctx, "r", 5, 6, nil, at(1))
	wantErr(t, "Heartbeat of a removed row", err, store.ErrNotFound)
	got, _ := e.getRun("r")
	e.wantExecution(got, x)
}
