package auth

import (
	"context"
	"slices"
	"strings"

	"github.com/openswf/openswf/internal/gate"
	"github.com/openswf/openswf/internal/policy"
	"github.com/openswf/openswf/internal/swfapi"
)

// Authorizer decides, by the caller's policies, whether it may make a call,
// and which decisions of a batch it may make.
type Authorizer struct {
	Scope policy.Scope
	// TokenDomain returns the domain a task token was handed out in (the
	// service's tokens carry it, signed; "" in tokens older than that); ok
	// is false for a token it did not make.
	TokenDomain func(token string) (domain string, ok bool)
	// DomainTags returns the tags of a domain, or none for a domain that
	// does not exist, for the policies that read aws:ResourceTag/KEY (SWF's
	// tag-based policies). It is called only for a caller with such a
	// policy; nil, no domain has tags.
	DomainTags func(ctx context.Context, domain string) (map[string]string, error)
	// DefaultTaskList returns the default task list of a registered type
	// of domain (an activity type, or else a workflow type), "" for none
	// or no such type. SWF judges swf:taskList.name against it when a
	// StartWorkflowExecution, a ScheduleActivityTask or a
	// StartChildWorkflowExecution leaves its task list out. It is called
	// only for a caller whose policies read that key; nil, no type has a
	// default.
	DefaultTaskList func(ctx context.Context, domain string, activity bool, name, version string) (string, error)
}

// anyDomain stands for "no domain in particular" when a call's domain
// cannot be known: only a policy allowing the action in every domain
// (Resource "*" or ".../domain/*") allows it.
const anyDomain = "*"

// Interceptor is the authorization step of the interceptor chain. A denied
// call answers OperationNotPermittedFault and changes nothing; inside an
// allowed RespondDecisionTaskCompleted, each decision is its own action, and
// a denied one is refused (gate.Refuse) with OPERATION_NOT_PERMITTED so that
// the engine records its failure event and goes on with the batch.
func (a *Authorizer) Interceptor(ctx context.Context, op string, in any, next swfapi.Handler) (any, error) {
	p := PrincipalFrom(ctx)
	if p != nil && p.AllowAll {
		return next(ctx, op, in)
	}
	if p == nil {
		// Only a wiring mistake gets here: refuse rather than allow.
		return nil, swfapi.NewFault(swfapi.CodeOperationNotPermitted, "The request is not authenticated")
	}
	domain := ""
	if token := taskToken(in); token != "" {
		// A token names its domain: the call is judged in that domain,
		// whatever the caller may do elsewhere. A token the service did
		// not make names no task and changes nothing: the service refuses
		// it as malformed, whoever sends it. A genuine token from before
		// tokens carried their domain can only be judged against every
		// domain.
		var ok bool
		if domain, ok = a.TokenDomain(token); !ok {
			return next(ctx, op, in)
		}
		if domain == "" {
			domain = anyDomain
		}
	}
	req := a.Scope.Call(op, in, domain)
	tags, err := a.resourceTags(ctx, p, op, req.Resource)
	if err != nil {
		return nil, err
	}
	addKeys(&req, tags)
	a.addGlobals(&req, p)
	if start, ok := in.(*swfapi.StartWorkflowExecutionInput); ok && start.TaskList == nil && start.WorkflowType != nil {
		if err := a.defaultTaskList(ctx, p, &req, deref(start.Domain), false, start.WorkflowType.Name, start.WorkflowType.Version); err != nil {
			return nil, err
		}
	}
	if !a.allowed(p, op, req) {
		return nil, denied(p, req)
	}
	if rd, ok := in.(*swfapi.RespondDecisionTaskCompletedInput); ok && len(rd.Decisions) > 0 {
		for i, d := range a.Scope.Decisions(domain, rd.Decisions) {
			addKeys(&d.Request, tags)
			a.addGlobals(&d.Request, p)
			if err := a.decisionDefault(ctx, p, &d.Request, domain, &rd.Decisions[i]); err != nil {
				return nil, err
			}
			if d.Checked && !policy.Evaluate(p.Policies, d.Request).Allowed {
				ctx = gate.Refuse(ctx, i, "OPERATION_NOT_PERMITTED")
			}
		}
	}
	return next(ctx, op, in)
}

// resourceTags returns the tags of the domain a call acts in, as condition
// keys (policy.ResourceTagKey: the tag's key matched without regard to
// case, as IAM matches it), when one of the caller's policies reads them. A call that
// acts in no one domain of this account (ListDomains, a token from before
// tokens named their domain, a tag call naming another account's ARN) has
// none.
func (a *Authorizer) resourceTags(ctx context.Context, p *Principal, op string, resource string) (map[string]string, error) {
	if a.DomainTags == nil || op == "ListDomains" || !p.readsTags {
		return nil, nil
	}
	name, ok := strings.CutPrefix(resource, a.Scope.DomainARN(""))
	if !ok || name == "" || name == anyDomain {
		return nil, nil
	}
	tags, err := a.DomainTags(ctx, name)
	if err != nil || len(tags) == 0 {
		return nil, err
	}
	// Tag keys are case-sensitive and these condition keys are not: of
	// two tags whose keys differ only in case, the first in byte order is
	// the one a policy sees, whatever order the map gives.
	names := make([]string, 0, len(tags))
	for k := range tags {
		names = append(names, k)
	}
	slices.Sort(names)
	keys := make(map[string]string, len(tags))
	for _, k := range names {
		key := policy.ResourceTagKey(k)
		if _, seen := keys[key]; !seen {
			keys[key] = tags[k]
		}
	}
	return keys, nil
}

// allowed evaluates the caller's policies for req. ListDomains acts on no
// one domain: its resource is every domain of the account, which Scope.Call
// writes as the domain ARNs are written (".../domain/*"), while SWF's API
// reference tells policy writers to name it "arn:aws:swf::ACCOUNT:domain/*".
// A policy in either form is honoured: the call is allowed when a statement
// allows either, and denied when one denies either.
func (a *Authorizer) allowed(p *Principal, op string, req policy.Request) bool {
	v := policy.Evaluate(p.Policies, req)
	if op != "ListDomains" || v.ExplicitDeny {
		return v.Allowed
	}
	alt := req
	alt.Resource = "arn:aws:swf::" + a.Scope.Account + ":domain/*"
	w := policy.Evaluate(p.Policies, alt)
	return !w.ExplicitDeny && (v.Allowed || w.Allowed)
}

// decisionDefault adds to a decision's request the default task list of
// the type it names, when it names none of its own (see DefaultTaskList).
func (a *Authorizer) decisionDefault(ctx context.Context, p *Principal, req *policy.Request, domain string, d *swfapi.Decision) error {
	if d.DecisionType == nil {
		return nil
	}
	switch *d.DecisionType {
	case swfapi.DecisionTypeScheduleActivityTask:
		s := d.ScheduleActivityTaskDecisionAttributes
		if s != nil && s.TaskList == nil && s.ActivityType != nil {
			return a.defaultTaskList(ctx, p, req, domain, true, s.ActivityType.Name, s.ActivityType.Version)
		}
	case swfapi.DecisionTypeStartChildWorkflowExecution:
		s := d.StartChildWorkflowExecutionDecisionAttributes
		if s != nil && s.TaskList == nil && s.WorkflowType != nil {
			return a.defaultTaskList(ctx, p, req, domain, false, s.WorkflowType.Name, s.WorkflowType.Version)
		}
	}
	return nil
}

// defaultTaskList sets swf:taskList.name in req to the named type's default
// task list, when a policy of the caller reads it and the type has one.
func (a *Authorizer) defaultTaskList(ctx context.Context, p *Principal, req *policy.Request, domain string, activity bool, name, version *string) error {
	if a.DefaultTaskList == nil || domain == "" || domain == anyDomain || name == nil || version == nil || !p.readsTaskList {
		return nil
	}
	if _, set := req.Keys[policy.KeyTaskListName]; set {
		return nil
	}
	tl, err := a.DefaultTaskList(ctx, domain, activity, *name, *version)
	if err != nil || tl == "" {
		return err
	}
	if req.Keys == nil {
		req.Keys = map[string]string{}
	}
	req.Keys[policy.KeyTaskListName] = tl
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// addGlobals adds the global condition keys the caller's policies read
// (policy.GlobalKeys): the principal's, and the region this server
// answers for.
func (a *Authorizer) addGlobals(req *policy.Request, p *Principal) {
	addKeys(req, p.globals)
	if p.readsRegion {
		if req.Keys == nil {
			req.Keys = map[string]string{}
		}
		req.Keys["aws:requestedregion"] = a.Scope.Region
	}
}

// addKeys adds condition keys to a request's.
func addKeys(req *policy.Request, keys map[string]string) {
	if len(keys) == 0 {
		return
	}
	if req.Keys == nil {
		req.Keys = make(map[string]string, len(keys))
	}
	for k, v := range keys {
		req.Keys[k] = v
	}
}

// denied is SWF's fault for a call the caller's policies do not allow,
// worded as IAM words a denial.
func denied(p *Principal, req policy.Request) error {
	return swfapi.NewFault(swfapi.CodeOperationNotPermitted, "User: %s is not authorized to perform: %s on resource: %s", p.ARN, req.Action, req.Resource)
}

// taskToken returns the task token an input carries, if it is one of the
// calls that name their task by token alone.
func taskToken(in any) string {
	var t *string
	switch in := in.(type) {
	case *swfapi.RecordActivityTaskHeartbeatInput:
		t = in.TaskToken
	case *swfapi.RespondActivityTaskCompletedInput:
		t = in.TaskToken
	case *swfapi.RespondActivityTaskFailedInput:
		t = in.TaskToken
	case *swfapi.RespondActivityTaskCanceledInput:
		t = in.TaskToken
	case *swfapi.RespondDecisionTaskCompletedInput:
		t = in.TaskToken
	}
	if t == nil {
		return ""
	}
	return *t
}
