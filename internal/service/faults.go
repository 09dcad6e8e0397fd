package service

import (
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

func typeNotDeprecated() error {
	return swfapi.NewFault(swfapi.CodeTypeNotDeprecated, "The type is currently registered and cannot be deleted in its current state")
}
