package service

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/gate"
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/tasktoken"
)

// PollForDecisionTask hands a decision task of a task list to a decider,
// waiting for one up to the long-poll hold; with a nextPageToken it returns
// the next page of the history of the task it already handed out.
func (s *Service) PollForDecisionTask(ctx context.Context, in *swfapi.PollForDecisionTaskInput) (*swfapi.DecisionTask, error) {
	if err := checkTaskList("taskList", in.TaskList); err != nil {
		return nil, err
	}
	if err := s.domainExists(ctx, *in.Domain); err != nil {
		return nil, err
	}
	page := pollPage{size: pageSize(in.MaximumPageSize), reverse: deref(in.ReverseOrder), query: queryKey("PollForDecisionTask", *in.Domain, *in.TaskList.Name, strconv.FormatBool(deref(in.ReverseOrder)))}
	if in.NextPageToken != nil && *in.NextPageToken != "" {
		return s.decisionTaskPage(ctx, page, in.NextPageToken)
	}
	var out *swfapi.DecisionTask
	key := matching.Key{Kind: store.DecisionTask, Domain: *in.Domain, TaskList: *in.TaskList.Name}
	s.pollers.Saw(key, deref(in.Identity), s.clock.Now())
	err := s.claim(ctx, key, func(ctx context.Context, t store.Task) (bool, error) {
		r, ok, err := s.startTask(ctx, t, func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			return e.StartDecisionTask(t.ScheduledEventID, deref(in.Identity), now)
		})
		if !ok || err != nil {
			return ok, err
		}
		d := r.exec.Decision
		tok := tasktoken.Token{Kind: tasktoken.Decision, Domain: r.exec.Domain, RunID: r.exec.RunID, ScheduledEventID: d.ScheduledEventID, StartedEventID: d.StartedEventID}
		from := int64(0)
		if deref(in.StartAtPreviousStartedEvent) && r.exec.PreviousStartedEventID > 0 && !page.reverse {
			from = r.exec.PreviousStartedEventID - 1
		}
		out, err = s.decisionTask(ctx, r.exec, tok, page, from)
		return true, err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		// Nothing came: an empty task, without a taskToken member, which is
		// how clients tell; the event ids are there, as zeros, for typed
		// clients that read them unconditionally. SWF sends no "events"
		// (nil is not sent), though the model calls the member required.
		return &swfapi.DecisionTask{StartedEventId: swfapi.Ptr(int64(0)), PreviousStartedEventId: swfapi.Ptr(int64(0))}, nil
	}
	return out, nil
}

// pollPage is how a decider asked for the history of its task.
type pollPage struct {
	size    int
	reverse bool
	query   string
}

// decisionTask builds the answer to a decider: the task, and one page of
// the run's history up to the task's start.
func (s *Service) decisionTask(ctx context.Context, e *engine.Execution, tok tasktoken.Token, page pollPage, from int64) (*swfapi.DecisionTask, error) {
	hist, err := s.historyPage(ctx, e.RunID, from, tok.StartedEventID, page.size, page.reverse)
	if err != nil {
		return nil, err
	}
	out := &swfapi.DecisionTask{
		TaskToken:      swfapi.Ptr(s.tokens.Encode(tok)),
		StartedEventId: swfapi.Ptr(tok.StartedEventID),
		WorkflowExecution: &swfapi.WorkflowExecution{
			WorkflowId: swfapi.Ptr(e.WorkflowID),
			RunId:      swfapi.Ptr(e.RunID),
		},
		WorkflowType:  &swfapi.WorkflowType{Name: swfapi.Ptr(e.WorkflowType.Name), Version: swfapi.Ptr(e.WorkflowType.Version)},
		Events:        hist.events,
		EventsEncoded: hist.encoded,
		// Always present, 0 on a run's first decision task, as SWF's own
		// example answers show: typed clients (Java's Long, the Flow
		// frameworks) read it unconditionally.
		PreviousStartedEventId: swfapi.Ptr(e.PreviousStartedEventID),
	}
	if hist.more {
		out.NextPageToken = s.pages.make(page.query, *out.TaskToken, strconv.FormatInt(hist.last, 10), strconv.FormatInt(e.PreviousStartedEventID, 10))
	}
	return out, nil
}

// decisionTaskPage answers a PollForDecisionTask that carries a page token:
// the next page of the same task, claiming nothing new.
func (s *Service) decisionTaskPage(ctx context.Context, page pollPage, token *string) (*swfapi.DecisionTask, error) {
	after, err := s.pages.read(page.query, token)
	if err != nil {
		return nil, err
	}
	if len(after) != 3 {
		return nil, invalidToken()
	}
	tok, err := s.tokens.Decode(after[0])
	from, err1 := strconv.ParseInt(after[1], 10, 64)
	prev, err2 := strconv.ParseInt(after[2], 10, 64)
	if err != nil || err1 != nil || err2 != nil {
		return nil, invalidToken()
	}
	r, err := s.loadRunByID(ctx, tok.RunID)
	if err != nil {
		return nil, err
	}
	// The page belongs to the task as it was handed out, whatever the run
	// did since.
	e := *r.exec
	e.PreviousStartedEventID = prev
	return s.decisionTask(ctx, &e, tok, page, from)
}

// RespondDecisionTaskCompleted applies a decider's decisions.
func (s *Service) RespondDecisionTaskCompleted(ctx context.Context, in *swfapi.RespondDecisionTaskCompletedInput) error {
	tok, err := s.taskToken(*in.TaskToken, tasktoken.Decision)
	if err != nil {
		return err
	}
	_, _, err = s.updateRun(ctx, tok.RunID,
		func(e *engine.Execution, now time.Time) (engine.Effects, error) {
			look, err := s.lookups(ctx, e, in)
			if err != nil {
				return engine.Effects{}, err
			}
			return e.CompleteDecisionTask(tok.ScheduledEventID, tok.StartedEventID, in, look, now)
		})
	return err
}

// lookups loads what a decision batch needs from outside its run: the
// types its decisions name (a type that does not exist is left out, and
// the decision naming it fails), and a run id for a run it continues as.
func (s *Service) lookups(ctx context.Context, e *engine.Execution, in *swfapi.RespondDecisionTaskCompletedInput) (engine.Lookups, error) {
	acts, flows, continues := e.TypesNamed(in)
	var look engine.Lookups
	var err error
	look.ActivityTypes, err = loadTypes(ctx, s, e.Domain, store.ActivityType, acts, func(t store.Type) (engine.ActivityTypeInfo, error) {
		info := engine.ActivityTypeInfo{Deprecated: t.Status == store.StatusDeprecated}
		err := jsonDecode(t.Config, &info.Config)
		return info, err
	})
	if err != nil {
		return look, err
	}
	look.WorkflowTypes, err = loadTypes(ctx, s, e.Domain, store.WorkflowType, flows, func(t store.Type) (engine.WorkflowTypeInfo, error) {
		info := engine.WorkflowTypeInfo{Deprecated: t.Status == store.StatusDeprecated}
		err := jsonDecode(t.Config, &info.Config)
		return info, err
	})
	if err != nil {
		return look, err
	}
	if continues {
		look.NewRunID = newRunID()
	}
	// Decisions the interceptors refused (by policy, by rate) fail in the
	// history rather than failing the call.
	look.Refused = gate.All(ctx)
	return look, nil
}

// loadTypes loads the types of one kind a decision batch names, each
// decoded by decode; a type that does not exist is left out, and the
// decision naming it fails.
func loadTypes[I any](ctx context.Context, s *Service, domain string, kind store.TypeKind, refs []engine.TypeRef, decode func(store.Type) (I, error)) (map[engine.TypeRef]I, error) {
	if len(refs) == 0 {
		return nil, nil // most batches name no type: no map to make
	}
	out := make(map[engine.TypeRef]I, len(refs))
	for _, ref := range refs {
		t, err := s.store.GetType(ctx, store.TypeKey{Domain: domain, Kind: kind, Name: ref.Name, Version: ref.Version})
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if out[ref], err = decode(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func jsonDecode(data []byte, v any) error {
	if len(data) == 0 {
		return nil
	}
	// The model's shapes (events, type configurations) decode without
	// reflection; anything else goes to encoding/json.
	return swfapi.DecodeJSON(data, v)
}
