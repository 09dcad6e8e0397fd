package auth

import (
	"context"
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/gate"
	"github.com/openswf/openswf/internal/policy"
	"github.com/openswf/openswf/internal/swfapi"
)

func principal(t *testing.T, docs ...string) *Principal {
	t.Helper()
	p := &Principal{Name: "p", ARN: "arn:aws:iam::123456789012:user/p"}
	for _, d := range docs {
		pol, err := policy.Parse([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		p.Policies = append(p.Policies, pol)
	}
	p.readKeys("123456789012")
	return p
}

func testAuthorizer() *Authorizer {
	return &Authorizer{
		Scope: policy.Scope{Region: "us-east-1", Account: "123456789012"},
		TokenDomain: func(token string) (string, bool) {
			if token == "old-token" {
				return "", true
			}
			domain, ok := strings.CutPrefix(token, "token-of-")
			return domain, ok
		},
	}
}

// reached answers for the API and records what it was called with.
type reached struct {
	calls int
	ctx   context.Context
}

func (r *reached) next(ctx context.Context, op string, in any) (any, error) {
	r.calls++
	r.ctx = ctx
	return nil, nil
}

func TestAuthorizeCalls(t *testing.T) {
	a := testAuthorizer()
	worker := principal(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["swf:PollForActivityTask", "swf:RecordActivityTaskHeartbeat"], "Resource": "arn:aws:swf:*:123456789012:/domain/*"},
		{"Effect": "Deny", "Action": "swf:RecordActivityTaskHeartbeat", "Resource": "arn:aws:swf:us-east-1:123456789012:/domain/alpha"},
		{"Effect": "Deny", "Action": "swf:PollForActivityTask", "Resource": "*", "Condition": {"StringLike": {"swf:taskList.name": "secret-*"}}}]}`)
	heartbeat := func(token string) any {
		return &swfapi.RecordActivityTaskHeartbeatInput{TaskToken: swfapi.Ptr(token)}
	}
	poll := func(domain, list string) any {
		return &swfapi.PollForActivityTaskInput{Domain: swfapi.Ptr(domain), TaskList: &swfapi.TaskList{Name: swfapi.Ptr(list)}}
	}
	for _, tc := range []struct {
		name    string
		p       *Principal
		op      string
		in      any
		allowed bool
	}{
		{"local principal", Local("123456789012"), "RegisterDomain", &swfapi.RegisterDomainInput{Name: swfapi.Ptr("d")}, true},
		{"no principal", nil, "ListDomains", &swfapi.ListDomainsInput{}, false},
		{"heartbeat in beta", worker, "RecordActivityTaskHeartbeat", heartbeat("token-of-beta"), true},
		{"heartbeat in alpha (the token's domain)", worker, "RecordActivityTaskHeartbeat", heartbeat("token-of-alpha"), false},
		{"heartbeat with a forged token (the service refuses it)", worker, "RecordActivityTaskHeartbeat", heartbeat("forged"), true},
		{"heartbeat with a token of no known domain", worker, "RecordActivityTaskHeartbeat", heartbeat("old-token"), true},
		{"poll", worker, "PollForActivityTask", poll("alpha", "work"), true},
		{"poll denied by condition", worker, "PollForActivityTask", poll("alpha", "secret-list"), false},
		{"not allowed at all", worker, "StartWorkflowExecution", &swfapi.StartWorkflowExecutionInput{Domain: swfapi.Ptr("beta")}, false},
	} {
		ctx := context.Background()
		if tc.p != nil {
			ctx = WithPrincipal(ctx, tc.p)
		}
		var r reached
		_, err := a.Interceptor(ctx, tc.op, tc.in, r.next)
		if tc.allowed != (err == nil) || tc.allowed != (r.calls == 1) {
			t.Errorf("%s: err %v, reached %d", tc.name, err, r.calls)
			continue
		}
		if err != nil {
			fault, ok := err.(*swfapi.Fault)
			if !ok || fault.Code != swfapi.CodeOperationNotPermitted {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
	}
	// A genuine token of no known domain is judged against every domain: a
	// principal allowed in one domain only cannot use it.
	narrow := principal(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "swf:RecordActivityTaskHeartbeat", "Resource": "arn:aws:swf:us-east-1:123456789012:/domain/beta"}]}`)
	_, err := a.Interceptor(WithPrincipal(context.Background(), narrow), "RecordActivityTaskHeartbeat", heartbeat("old-token"), (&reached{}).next)
	if err == nil {
		t.Error("a token of no known domain passed a one-domain principal")
	}
	want := "User: arn:aws:iam::123456789012:user/p is not authorized to perform: swf:RecordActivityTaskHeartbeat on resource: arn:aws:swf:us-east-1:123456789012:/domain/*"
	if err != nil && err.(*swfapi.Fault).Message != want {
		t.Errorf("message %q", err.(*swfapi.Fault).Message)
	}
}

// Within an allowed RespondDecisionTaskCompleted, each decision is judged
// on its own; denied ones are refused through gate, the call goes on.
func TestAuthorizeDecisions(t *testing.T) {
	a := testAuthorizer()
	decider := principal(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "swf:*", "Resource": "*"},
		{"Effect": "Deny", "Action": "swf:ScheduleActivityTask", "Resource": "*", "Condition": {"StringEquals": {"swf:activityType.name": "forbidden"}}},
		{"Effect": "Deny", "Action": "swf:StartTimer", "Resource": "arn:aws:swf:us-east-1:123456789012:/domain/alpha"}]}`)
	schedule := func(name string) swfapi.Decision {
		return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeScheduleActivityTask), ScheduleActivityTaskDecisionAttributes: &swfapi.ScheduleActivityTaskDecisionAttributes{
			ActivityId: swfapi.Ptr(name), ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr(name), Version: swfapi.Ptr("1")}}}
	}
	timer := swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeStartTimer), StartTimerDecisionAttributes: &swfapi.StartTimerDecisionAttributes{TimerId: swfapi.Ptr("t"), StartToFireTimeout: swfapi.Ptr("5")}}
	for domain, want := range map[string]map[int]string{
		"alpha": {0: "OPERATION_NOT_PERMITTED", 2: "OPERATION_NOT_PERMITTED"},
		"beta":  {0: "OPERATION_NOT_PERMITTED"},
	} {
		in := &swfapi.RespondDecisionTaskCompletedInput{TaskToken: swfapi.Ptr("token-of-" + domain), Decisions: []swfapi.Decision{schedule("forbidden"), schedule("fine"), timer}}
		var r reached
		if _, err := a.Interceptor(WithPrincipal(context.Background(), decider), "RespondDecisionTaskCompleted", in, r.next); err != nil || r.calls != 1 {
			t.Fatalf("%s: %v", domain, err)
		}
		got := gate.All(r.ctx)
		if len(got) != len(want) {
			t.Errorf("%s: refused %v, want %v", domain, got, want)
		}
		for i, c := range want {
			if got[i] != c {
				t.Errorf("%s: refused %v, want %v", domain, got, want)
			}
		}
	}
}

// SWF's tag-based policies: aws:ResourceTag/KEY holds the tags of the
// domain a call acts in, for calls and for the decisions of a batch alike,
// and the tags are read only for a caller whose policies use them.
func TestAuthorizeResourceTags(t *testing.T) {
	a := testAuthorizer()
	lookups := 0
	a.DomainTags = func(_ context.Context, domain string) (map[string]string, error) {
		lookups++
		switch domain {
		case "prod":
			return map[string]string{"Env": "production", "env": "shadowed"}, nil
		case "dev":
			return map[string]string{"env": "dev"}, nil
		}
		return nil, nil
	}
	tagged := principal(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "swf:*", "Resource": "*"},
		{"Effect": "Deny", "Action": ["swf:TerminateWorkflowExecution", "swf:StartTimer"], "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/ENV": "production"}}}]}`)
	terminate := func(domain string) any {
		return &swfapi.TerminateWorkflowExecutionInput{Domain: swfapi.Ptr(domain), WorkflowId: swfapi.Ptr("w")}
	}
	for _, tc := range []struct {
		domain  string
		allowed bool
	}{{"prod", false}, {"dev", true}, {"untagged", true}} {
		var r reached
		_, err := a.Interceptor(WithPrincipal(context.Background(), tagged), "TerminateWorkflowExecution", terminate(tc.domain), r.next)
		if tc.allowed != (err == nil) {
			t.Errorf("terminate in %s: %v", tc.domain, err)
		}
	}
	// The decisions of a batch see the run's domain's tags.
	timer := swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeStartTimer), StartTimerDecisionAttributes: &swfapi.StartTimerDecisionAttributes{TimerId: swfapi.Ptr("t"), StartToFireTimeout: swfapi.Ptr("5")}}
	var r reached
	in := &swfapi.RespondDecisionTaskCompletedInput{TaskToken: swfapi.Ptr("token-of-prod"), Decisions: []swfapi.Decision{timer}}
	if _, err := a.Interceptor(WithPrincipal(context.Background(), tagged), "RespondDecisionTaskCompleted", in, r.next); err != nil {
		t.Fatal(err)
	}
	if got := gate.All(r.ctx); got[0] != "OPERATION_NOT_PERMITTED" {
		t.Errorf("a timer in prod: refused %v", got)
	}
	// A caller whose policies read no tag costs no lookup.
	before := lookups
	plain := principal(t, `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "swf:*", "Resource": "*"}}`)
	if _, err := a.Interceptor(WithPrincipal(context.Background(), plain), "TerminateWorkflowExecution", terminate("prod"), (&reached{}).next); err != nil {
		t.Fatal(err)
	}
	if lookups != before {
		t.Error("tags read for a caller whose policies use none")
	}
}

// A call or decision that leaves its task list out is judged by the
// type's default task list, as SWF's guide says; a type with none leaves
// the key absent.
func TestAuthorizeDefaultTaskList(t *testing.T) {
	a := testAuthorizer()
	a.DefaultTaskList = func(_ context.Context, domain string, activity bool, name, version string) (string, error) {
		switch {
		case domain == "orders" && !activity && name == "flow":
			return "open-list", nil
		case domain == "orders" && activity && name == "charge":
			return "open-list", nil
		case domain == "orders" && activity && name == "refund":
			return "secret-list", nil
		}
		return "", nil
	}
	p := principal(t, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["swf:StartWorkflowExecution", "swf:RespondDecisionTaskCompleted", "swf:ScheduleActivityTask"], "Resource": "*",
		 "Condition": {"StringEqualsIfExists": {"swf:taskList.name": "open-list"}}},
		{"Effect": "Deny", "Action": "swf:StartWorkflowExecution", "Resource": "*", "Condition": {"Null": {"swf:taskList.name": "true"}}}]}`)
	start := func(typ string, list *string) any {
		in := &swfapi.StartWorkflowExecutionInput{Domain: swfapi.Ptr("orders"), WorkflowId: swfapi.Ptr("w"),
			WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr(typ), Version: swfapi.Ptr("1")}}
		if list != nil {
			in.TaskList = &swfapi.TaskList{Name: list}
		}
		return in
	}
	for _, tc := range []struct {
		name    string
		in      any
		allowed bool
	}{
		{"the default list", start("flow", nil), true},
		{"a type with no default", start("bare", nil), false},
		{"an explicit list wins over the default", start("flow", swfapi.Ptr("secret-list")), false},
	} {
		_, err := a.Interceptor(WithPrincipal(context.Background(), p), "StartWorkflowExecution", tc.in, (&reached{}).next)
		if tc.allowed != (err == nil) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	schedule := func(name string) swfapi.Decision {
		return swfapi.Decision{DecisionType: swfapi.Ptr(swfapi.DecisionTypeScheduleActivityTask), ScheduleActivityTaskDecisionAttributes: &swfapi.ScheduleActivityTaskDecisionAttributes{
			ActivityId: swfapi.Ptr(name), ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr(name), Version: swfapi.Ptr("1")}}}
	}
	var r reached
	in := &swfapi.RespondDecisionTaskCompletedInput{TaskToken: swfapi.Ptr("token-of-orders"), Decisions: []swfapi.Decision{schedule("charge"), schedule("refund")}}
	if _, err := a.Interceptor(WithPrincipal(context.Background(), p), "RespondDecisionTaskCompleted", in, r.next); err != nil {
		t.Fatal(err)
	}
	if got := gate.All(r.ctx); len(got) != 1 || got[1] != "OPERATION_NOT_PERMITTED" {
		t.Errorf("refused %v, want only the refund (its default list is secret)", got)
	}
}

// ListDomains is allowed by a policy naming its resource as the domains'
// ARNs are written or as SWF's API reference writes it, and denied by a
// Deny in either form.
func TestAuthorizeListDomains(t *testing.T) {
	a := testAuthorizer()
	for _, tc := range []struct {
		name, doc string
		allowed   bool
	}{
		{"the domains' ARN form", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "swf:ListDomains", "Resource": "arn:aws:swf:us-east-1:123456789012:/domain/*"}}`, true},
		{"the API reference's form", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "swf:ListDomains", "Resource": "arn:aws:swf::123456789012:domain/*"}}`, true},
		{"another account", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "swf:ListDomains", "Resource": "arn:aws:swf::999999999999:domain/*"}}`, false},
		{"one domain", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "swf:ListDomains", "Resource": "arn:aws:swf:us-east-1:123456789012:/domain/orders"}}`, false},
		{"denied in the reference's form", `{"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Action": "swf:*", "Resource": "*"},
			{"Effect": "Deny", "Action": "swf:ListDomains", "Resource": "arn:aws:swf::123456789012:domain/*"}]}`, false},
	} {
		_, err := a.Interceptor(WithPrincipal(context.Background(), principal(t, tc.doc)), "ListDomains", &swfapi.ListDomainsInput{}, (&reached{}).next)
		if tc.allowed != (err == nil) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
