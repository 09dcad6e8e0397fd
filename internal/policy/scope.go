package policy

import (
	"github.com/openswf/openswf/internal/swfapi"
)

// The condition keys SWF defines, in the lower-case form Request.Keys uses.
// Which call sets which key follows SWF's developer guide, chapter "Using
// IAM to manage access to Amazon SWF resources", page "API Summary", and the
// "Access Control" notes of the API reference for the operations that page
// omits (the Undeprecate* calls, added later).
const (
	keyActivityTypeName    = "swf:activitytype.name"
	keyActivityTypeVersion = "swf:activitytype.version"
	keyDefaultTaskListName = "swf:defaulttasklist.name"
	keyName                = "swf:name"
	keyVersion             = "swf:version"
	keyTagFilterTag        = "swf:tagfilter.tag"
	keyTypeFilterName      = "swf:typefilter.name"
	keyTypeFilterVersion   = "swf:typefilter.version"
	keyTaskListName        = KeyTaskListName
	keyWorkflowTypeName    = "swf:workflowtype.name"
	keyWorkflowTypeVersion = "swf:workflowtype.version"
	// keyWorkflowTypeVersionFlat is the name the guide gives the key of
	// ContinueAsNewWorkflowExecution's workflowTypeVersion member; the API
	// reference calls the same thing swf:workflowType.version. That
	// decision sets both, so a policy written after either document works.
	keyWorkflowTypeVersionFlat = "swf:workflowtypeversion"
	// keyTagListMember is followed by 0 to 4: the guide gives each of the
	// first five tags its own key and no key to any later one.
	keyTagListMember = "swf:taglist.member."
	// keyTagListShort is the name the API reference gives the same keys
	// for StartChildWorkflowExecution ("swf:tagList.N"); every call that
	// sets one sets both, so a policy written after either document works.
	keyTagListShort = "swf:taglist."
	maxTagKeys      = 5
)

// KeyTaskListName is swf:taskList.name as Request.Keys holds it. A call or
// decision that omits its task list does not carry it, but SWF judges it
// against the type's default task list; Call and Decisions cannot know that
// default, so the caller adds it (see Scope.Call).
const KeyTaskListName = "swf:tasklist.name"

// isSWFKey reports whether key (lower-case) is a condition key SWF defines.
func isSWFKey(key string) bool {
	switch key {
	case keyActivityTypeName, keyActivityTypeVersion, keyDefaultTaskListName,
		keyName, keyVersion, keyTagFilterTag, keyTypeFilterName, keyTypeFilterVersion,
		keyTaskListName, keyWorkflowTypeName, keyWorkflowTypeVersion, keyWorkflowTypeVersionFlat:
		return true
	}
	for _, prefix := range [...]string{keyTagListMember, keyTagListShort} {
		if len(key) == len(prefix)+1 && key[:len(prefix)] == prefix &&
			'0' <= key[len(key)-1] && key[len(key)-1] < '0'+maxTagKeys {
			return true
		}
	}
	return false
}

// Scope is where requests are made: the region and account that SWF's ARNs
// carry. The partition is always "aws".
type Scope struct{ Region, Account string }

// DomainARN returns the ARN of the domain named name, the resource of
// almost every SWF action: "arn:aws:swf:REGION:ACCOUNT:/domain/NAME".
func (s Scope) DomainARN(name string) string {
	return "arn:aws:swf:" + s.Region + ":" + s.Account + ":/domain/" + name
}

// Call returns the request that one API call makes. op is the operation's
// name ("PollForActivityTask") and in its input, a *swfapi.XInput.
//
// The resource is the ARN of the domain the call acts in: the input's
// domain member, or for the domain operations its name member. The five
// task-token operations (RecordActivityTaskHeartbeat, the three
// RespondActivityTask* and RespondDecisionTaskCompleted) name no domain, so
// the caller resolves the token and passes its domain as domain; every
// other operation ignores that argument. Two operations are not about one
// domain: ListDomains, whose resource is every domain of the account,
// ".../domain/*", so only a policy granting the whole account can allow it
// (SWF's guide says such calls cannot be limited to a domain); and the tag
// operations, whose resource is the resourceArn they were given.
// RegisterDomain's resource is the domain being registered, as SWF's API
// reference says.
//
// Keys holds the condition keys SWF's guide lists for the operation, and
// only those whose member is present in the input, so that the IfExists
// operators can tell an absent member. SWF itself, for a call that omits
// the task list, checks swf:taskList.name against the type's default task
// list; Call cannot know that default, so the caller adds the key
// (KeyTaskListName) before Evaluate, as internal/auth does.
//
// An operation Call does not know gets action "swf:"+op, the domain passed
// in and no keys: a policy must then name it explicitly or by wildcard.
func (s Scope) Call(op string, in any, domain string) Request {
	req, _ := s.call(op, in, domain)
	return req
}

// call is Call, also reporting whether it knew the input's type.
func (s Scope) call(op string, in any, domain string) (Request, bool) {
	req := Request{Action: "swf:" + op}
	var k keys
	known := true
	switch v := in.(type) {
	case *swfapi.CountClosedWorkflowExecutionsInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.filters(v.TagFilter, v.TypeFilter)
	case *swfapi.CountOpenWorkflowExecutionsInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.filters(v.TagFilter, v.TypeFilter)
	case *swfapi.ListClosedWorkflowExecutionsInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.filters(v.TagFilter, v.TypeFilter)
	case *swfapi.ListOpenWorkflowExecutionsInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.filters(v.TagFilter, v.TypeFilter)

	case *swfapi.CountPendingActivityTasksInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.taskList(keyTaskListName, v.TaskList)
	case *swfapi.CountPendingDecisionTasksInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.taskList(keyTaskListName, v.TaskList)
	case *swfapi.PollForActivityTaskInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.taskList(keyTaskListName, v.TaskList)
	case *swfapi.PollForDecisionTaskInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.taskList(keyTaskListName, v.TaskList)

	case *swfapi.DeleteActivityTypeInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.activityType(v.ActivityType)
	case *swfapi.DeprecateActivityTypeInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.activityType(v.ActivityType)
	case *swfapi.DescribeActivityTypeInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.activityType(v.ActivityType)
	case *swfapi.UndeprecateActivityTypeInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.activityType(v.ActivityType)

	case *swfapi.DeleteWorkflowTypeInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.workflowType(v.WorkflowType)
	case *swfapi.DeprecateWorkflowTypeInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.workflowType(v.WorkflowType)
	case *swfapi.DescribeWorkflowTypeInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.workflowType(v.WorkflowType)
	case *swfapi.UndeprecateWorkflowTypeInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.workflowType(v.WorkflowType)

	case *swfapi.RegisterActivityTypeInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.set(keyName, v.Name)
		k.set(keyVersion, v.Version)
		k.taskList(keyDefaultTaskListName, v.DefaultTaskList)
	case *swfapi.RegisterWorkflowTypeInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.set(keyName, v.Name)
		k.set(keyVersion, v.Version)
		k.taskList(keyDefaultTaskListName, v.DefaultTaskList)

	case *swfapi.StartWorkflowExecutionInput:
		v = orZero(v)
		domain = deref(v.Domain)
		k.workflowType(v.WorkflowType)
		k.taskList(keyTaskListName, v.TaskList)
		k.tags(v.TagList)

	// Calls on one domain whose parameters SWF lets no policy constrain.
	case *swfapi.DescribeWorkflowExecutionInput:
		domain = deref(orZero(v).Domain)
	case *swfapi.GetWorkflowExecutionHistoryInput:
		domain = deref(orZero(v).Domain)
	case *swfapi.ListActivityTypesInput:
		domain = deref(orZero(v).Domain)
	case *swfapi.ListWorkflowTypesInput:
		domain = deref(orZero(v).Domain)
	case *swfapi.RequestCancelWorkflowExecutionInput:
		domain = deref(orZero(v).Domain)
	case *swfapi.SignalWorkflowExecutionInput:
		domain = deref(orZero(v).Domain)
	case *swfapi.TerminateWorkflowExecutionInput:
		domain = deref(orZero(v).Domain)

	// The domain operations name their domain "name".
	case *swfapi.DeprecateDomainInput:
		domain = deref(orZero(v).Name)
	case *swfapi.DescribeDomainInput:
		domain = deref(orZero(v).Name)
	case *swfapi.UndeprecateDomainInput:
		domain = deref(orZero(v).Name)
	case *swfapi.RegisterDomainInput:
		domain = deref(orZero(v).Name)

	// Task-token operations: the domain comes from the caller.
	case *swfapi.RecordActivityTaskHeartbeatInput,
		*swfapi.RespondActivityTaskCanceledInput,
		*swfapi.RespondActivityTaskCompletedInput,
		*swfapi.RespondActivityTaskFailedInput,
		*swfapi.RespondDecisionTaskCompletedInput:

	case *swfapi.ListDomainsInput:
		req.Resource = s.DomainARN("*")
		return req, true
	case *swfapi.ListTagsForResourceInput:
		req.Resource = deref(orZero(v).ResourceArn)
		return req, true
	case *swfapi.TagResourceInput:
		req.Resource = deref(orZero(v).ResourceArn)
		return req, true
	case *swfapi.UntagResourceInput:
		req.Resource = deref(orZero(v).ResourceArn)
		return req, true
	default:
		known = false
	}
	req.Resource = s.DomainARN(domain)
	req.Keys = k.m
	return req, known
}

// DecisionRequest is the authorization question one decision asks.
type DecisionRequest struct {
	Request Request
	// Checked is false for a decision SWF does not authorize at all, which
	// must be let through whatever the policies say.
	Checked bool
}

// Decisions returns the request each decision of a RespondDecisionTaskCompleted
// batch makes, in order, for a run in domain. SWF calls these the pseudo
// API: each decision is authorized as if it were a call of its own, with
// action "swf:" and the decision type and the run's domain as resource, but
// only once RespondDecisionTaskCompleted itself was allowed. A decision
// that is refused fails with cause OPERATION_NOT_PERMITTED.
//
// Keys follow the guide's pseudo-API list: ScheduleActivityTask carries the
// activity type and task list; StartChildWorkflowExecution the workflow
// type, task list and first five tags; ContinueAsNewWorkflowExecution the
// task list, the first five tags and the new workflow type version. The
// other decisions carry none.
//
// ScheduleLambdaFunction is not checked: it is in no list of SWF's IAM
// actions, and its failure causes in the API model have no
// OPERATION_NOT_PERMITTED, so SWF never refuses it on policy grounds.
func (s Scope) Decisions(domain string, decisions []swfapi.Decision) []DecisionRequest {
	resource := s.DomainARN(domain)
	out := make([]DecisionRequest, len(decisions))
	for i := range decisions {
		d := &decisions[i]
		t := swfapi.DecisionType(deref((*string)(d.DecisionType)))
		var k keys
		switch t {
		case swfapi.DecisionTypeScheduleActivityTask:
			if a := d.ScheduleActivityTaskDecisionAttributes; a != nil {
				k.activityType(a.ActivityType)
				k.taskList(keyTaskListName, a.TaskList)
			}
		case swfapi.DecisionTypeStartChildWorkflowExecution:
			if a := d.StartChildWorkflowExecutionDecisionAttributes; a != nil {
				k.workflowType(a.WorkflowType)
				k.taskList(keyTaskListName, a.TaskList)
				k.tags(a.TagList)
			}
		case swfapi.DecisionTypeContinueAsNewWorkflowExecution:
			if a := d.ContinueAsNewWorkflowExecutionDecisionAttributes; a != nil {
				k.taskList(keyTaskListName, a.TaskList)
				k.tags(a.TagList)
				k.set(keyWorkflowTypeVersionFlat, a.WorkflowTypeVersion)
				k.set(keyWorkflowTypeVersion, a.WorkflowTypeVersion)
			}
		}
		out[i] = DecisionRequest{
			Request: Request{Action: "swf:" + string(t), Resource: resource, Keys: k.m},
			Checked: decisionChecked(t),
		}
	}
	return out
}

// decisionChecked reports whether SWF authorizes decisions of type t. An
// unknown type, which validation should have refused before this point, is
// checked rather than waved through: only a policy that allows it by
// wildcard lets it pass.
func decisionChecked(t swfapi.DecisionType) bool {
	return t != swfapi.DecisionTypeScheduleLambdaFunction
}

// keys builds a Request's Keys, allocating the map only when a key is
// actually present.
type keys struct{ m map[string]string }

func (k *keys) set(name string, v *string) {
	if v == nil {
		return
	}
	if k.m == nil {
		k.m = make(map[string]string, 4)
	}
	k.m[name] = *v
}

func (k *keys) taskList(name string, tl *swfapi.TaskList) {
	if tl != nil {
		k.set(name, tl.Name)
	}
}

func (k *keys) activityType(t *swfapi.ActivityType) {
	if t != nil {
		k.set(keyActivityTypeName, t.Name)
		k.set(keyActivityTypeVersion, t.Version)
	}
}

func (k *keys) workflowType(t *swfapi.WorkflowType) {
	if t != nil {
		k.set(keyWorkflowTypeName, t.Name)
		k.set(keyWorkflowTypeVersion, t.Version)
	}
}

func (k *keys) filters(tag *swfapi.TagFilter, typ *swfapi.WorkflowTypeFilter) {
	if tag != nil {
		k.set(keyTagFilterTag, tag.Tag)
	}
	if typ != nil {
		k.set(keyTypeFilterName, typ.Name)
		k.set(keyTypeFilterVersion, typ.Version)
	}
}

// tags sets one key per tag for the first five tags; SWF's validation
// allows no more than five, and no key exists for a sixth.
func (k *keys) tags(list []string) {
	for i := 0; i < len(list) && i < maxTagKeys; i++ {
		k.set(keyTagListMember+string(rune('0'+i)), &list[i])
		k.set(keyTagListShort+string(rune('0'+i)), &list[i])
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// orZero lets a typed nil input read as an empty one.
func orZero[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}
