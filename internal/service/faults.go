package service

import (
	"github.com/openswf/openswf/internal/matching"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// The fault messages below follow the wording Amazon SWF uses, which clients
// log and some match on.

func unknownDomain(name string) error {
	return swfapi.NewFault(swfapi.CodeUnknownResource, "Unknown domain: %s", name)
}

// typeLabel names a type as SWF's messages do: ActivityType=[name=N, version=V].
func typeLabel(k store.TypeKey) string {
	kind := "ActivityType"
	if k.Kind == store.WorkflowType {
		kind = "WorkflowType"
	}
	return kind + "=[name=" + k.Name + ", version=" + k.Version + "]"
}

func unknownType(k store.TypeKey) error {
	return swfapi.NewFault(swfapi.CodeUnknownResource, "Unknown type: %s", typeLabel(k))
}

func typeAlreadyExists(k store.TypeKey) error {
	return swfapi.NewFault(swfapi.CodeTypeAlreadyExists, "%s", typeLabel(k))
}

func typeDeprecated(k store.TypeKey) error {
	return swfapi.NewFault(swfapi.CodeTypeDeprecated, "%s", typeLabel(k))
}

// tooManyPollers answers a poll beyond the limit of pollers of a task list.
func tooManyPollers(k matching.Key, limit int) error {
	kind := "activity"
	if k.Kind == store.DecisionTask {
		kind = "decision"
	}
	return swfapi.NewFault(swfapi.CodeLimitExceeded, "Limit of %d concurrent pollers of %s task list %s in domain %s has been reached", limit, kind, k.TaskList, k.Domain)
}

// tooManyOpenExecutions answers a start in a domain that has as many open
// runs as it may.
func tooManyOpenExecutions(domain string, limit int) error {
	return swfapi.NewFault(swfapi.CodeLimitExceeded, "Limit of %d open workflow executions in domain %s has been reached", limit, domain)
}

func typeNotDeprecated() error {
	return swfapi.NewFault(swfapi.CodeTypeNotDeprecated, "The type is currently registered and cannot be deleted in its current state")
}

// unknownWorkflow is the fault for a workflow id with no run (open, when
// the operation takes only an open one).
func unknownWorkflow(workflowID string) error {
	return swfapi.NewFault(swfapi.CodeUnknownResource, "Unknown execution, workflowId = %s", workflowID)
}
