package service

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
)

// What the web console shows that SWF's operations do not tell: the open
// activities' heartbeats and timeout deadlines, and the pollers seen on each
// task list. These methods only read. They do not authorize: the console
// calls them only after the same question asked through the API's
// interceptor chain has been allowed (DescribeWorkflowExecution for a run,
// CountPending…Tasks for a task list), so a principal sees here nothing it
// could not ask the API about.

// ConsoleActivity is one open activity task of a run.
type ConsoleActivity struct {
	ActivityID       string
	TypeName         string
	TypeVersion      string
	TaskList         string
	ScheduledEventID int64
	ScheduledAt      time.Time
	// StartedEventID is 0 while the task waits for a worker.
	StartedEventID  int64
	StartedAt       time.Time
	Identity        string
	CancelRequested bool
	// LastHeartbeatAt is zero before the first heartbeat; details are
	// those of the last heartbeat that carried any.
	LastHeartbeatAt  time.Time
	HeartbeatDetails *string
	// The instants each running timeout ends the attempt; zero when that
	// timeout is NONE or not running (schedule-to-start once started;
	// heartbeat and start-to-close before the start).
	ScheduleToStartDeadline time.Time
	ScheduleToCloseDeadline time.Time
	StartToCloseDeadline    time.Time
	HeartbeatDeadline       time.Time
}

// ConsoleActivities returns the open activity tasks of a run (runID empty:
// the workflow's open run), in scheduling order, with their last heartbeat
// as the activity rows hold it now.
func (s *Service) ConsoleActivities(ctx context.Context, domain, workflowID, runID string) ([]ConsoleActivity, error) {
	r, err := s.loadRun(ctx, domain, workflowID, runID)
	if err != nil {
		return nil, err
	}
	out := make([]ConsoleActivity, 0, len(r.exec.Activities))
	for _, a := range r.exec.Activities {
		c := ConsoleActivity{
			ActivityID: a.ActivityID, TypeName: a.Type.Name, TypeVersion: a.Type.Version, TaskList: a.TaskList,
			ScheduledEventID: a.ScheduledEventID, ScheduledAt: a.ScheduledAt,
			StartedEventID: a.StartedEventID, StartedAt: a.StartedAt, Identity: a.Identity,
			CancelRequested: a.CancelRequested, LastHeartbeatAt: a.LastHeartbeatAt, HeartbeatDetails: a.HeartbeatDetails,
		}
		// The same deadlines the engine arms its timeout timers for.
		c.ScheduleToCloseDeadline = consoleDeadline(a.ScheduledAt, a.ScheduleToClose)
		if a.StartedEventID == 0 {
			c.ScheduleToStartDeadline = consoleDeadline(a.ScheduledAt, a.ScheduleToStart)
		} else {
			c.StartToCloseDeadline = consoleDeadline(a.StartedAt, a.StartToClose)
			beat := a.StartedAt
			if a.LastHeartbeatAt.After(beat) {
				beat = a.LastHeartbeatAt
			}
			c.HeartbeatDeadline = consoleDeadline(beat, a.HeartbeatTimeout)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ScheduledEventID < out[j].ScheduledEventID })
	return out, nil
}

// consoleDeadline is from plus a timeout in whole seconds; zero for NONE.
func consoleDeadline(from time.Time, timeout string) time.Time {
	n, err := strconv.ParseInt(timeout, 10, 64)
	if err != nil || n < 0 || from.IsZero() {
		return time.Time{}
	}
	return from.Add(time.Duration(n) * time.Second)
}

// ConsoleTaskList is a task list of a domain as the console lists it.
type ConsoleTaskList struct {
	// Kind is store.DecisionTask or store.ActivityTask.
	Kind store.TaskKind
	Name string
	// Pollers polled it within matching.SeenWindow (on this node), most
	// recently seen first.
	Pollers []matching.Poller
	// Oldest is when the oldest task queued on it was scheduled; zero
	// when none is queued or the store cannot tell.
	Oldest time.Time
	// Queued is the store's count of queued tasks, when it tells it
	// (see Oldest); the console shows the API's count.
	Queued int
}

// ConsoleTaskLists returns the task lists of a domain that have queued
// tasks or were polled within the last minute, by kind then name.
func (s *Service) ConsoleTaskLists(ctx context.Context, domain string) ([]ConsoleTaskList, error) {
	now := s.clock.Now()
	byKey := map[matching.Key]*ConsoleTaskList{}
	get := func(k matching.Key) *ConsoleTaskList {
		if tl, ok := byKey[k]; ok {
			return tl
		}
		tl := &ConsoleTaskList{Kind: k.Kind, Name: k.TaskList}
		byKey[k] = tl
		return tl
	}
	for k, ps := range s.pollers.Recent(domain, now) {
		get(k).Pollers = ps
	}
	if err := s.consoleBacklogs(ctx, domain, func(k matching.Key, count int, oldest time.Time) {
		tl := get(k)
		tl.Queued, tl.Oldest = count, oldest
	}); err != nil {
		return nil, err
	}
	out := make([]ConsoleTaskList, 0, len(byKey))
	for _, tl := range byKey {
		out = append(out, *tl)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind == store.DecisionTask
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// ConsoleTaskList returns one task list's pollers and oldest queued task.
func (s *Service) ConsoleTaskList(ctx context.Context, domain string, kind store.TaskKind, name string) (ConsoleTaskList, error) {
	all, err := s.ConsoleTaskLists(ctx, domain)
	if err != nil {
		return ConsoleTaskList{}, err
	}
	for _, tl := range all {
		if tl.Kind == kind && tl.Name == name {
			return tl, nil
		}
	}
	return ConsoleTaskList{Kind: kind, Name: name}, nil
}

// consoleBacklogs reports each task list of domain with queued tasks: how
// many, and when the oldest was queued.
func (s *Service) consoleBacklogs(ctx context.Context, domain string, add func(k matching.Key, count int, oldest time.Time)) error {
	bs, err := s.store.Backlogs(ctx, domain)
	if err != nil {
		return err
	}
	for _, b := range bs {
		add(matching.Key{Kind: b.Kind, Domain: b.Domain, TaskList: b.TaskList}, int(b.Count), b.Oldest)
	}
	return nil
}
