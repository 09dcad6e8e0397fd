package service

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/openswf/openswf/internal/engine"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

func activityKey(domain string, t *swfapi.ActivityType) store.TypeKey {
	return store.TypeKey{Domain: domain, Kind: store.ActivityType, Name: *t.Name, Version: *t.Version}
}

func workflowKey(domain string, t *swfapi.WorkflowType) store.TypeKey {
	return store.TypeKey{Domain: domain, Kind: store.WorkflowType, Name: *t.Name, Version: *t.Version}
}

// RegisterActivityType registers an activity type with its defaults.
func (s *Service) RegisterActivityType(ctx context.Context, in *swfapi.RegisterActivityTypeInput) error {
	if err := firstError(
		checkName("name", *in.Name),
		checkName("version", *in.Version),
		checkDuration("defaultTaskStartToCloseTimeout", in.DefaultTaskStartToCloseTimeout),
		checkDuration("defaultTaskHeartbeatTimeout", in.DefaultTaskHeartbeatTimeout),
		checkTaskList("defaultTaskList", in.DefaultTaskList),
		checkPriority("defaultTaskPriority", in.DefaultTaskPriority),
		checkDuration("defaultTaskScheduleToStartTimeout", in.DefaultTaskScheduleToStartTimeout),
		checkDuration("defaultTaskScheduleToCloseTimeout", in.DefaultTaskScheduleToCloseTimeout),
	); err != nil {
		return err
	}
	config, err := json.Marshal(swfapi.ActivityTypeConfiguration{
		DefaultTaskStartToCloseTimeout:    in.DefaultTaskStartToCloseTimeout,
		DefaultTaskHeartbeatTimeout:       in.DefaultTaskHeartbeatTimeout,
		DefaultTaskList:                   in.DefaultTaskList,
		DefaultTaskPriority:               in.DefaultTaskPriority,
		DefaultTaskScheduleToStartTimeout: in.DefaultTaskScheduleToStartTimeout,
		DefaultTaskScheduleToCloseTimeout: in.DefaultTaskScheduleToCloseTimeout,
	})
	if err != nil {
		return err
	}
	key := store.TypeKey{Domain: *in.Domain, Kind: store.ActivityType, Name: *in.Name, Version: *in.Version}
	return s.registerType(ctx, key, deref(in.Description), config)
}

// RegisterWorkflowType registers a workflow type with its defaults.
func (s *Service) RegisterWorkflowType(ctx context.Context, in *swfapi.RegisterWorkflowTypeInput) error {
	if err := firstError(
		checkName("name", *in.Name),
		checkName("version", *in.Version),
		checkDuration("defaultTaskStartToCloseTimeout", in.DefaultTaskStartToCloseTimeout),
		// Unlike the other timeouts, not NONE, and at most a year.
		engine.CheckExecutionTimeout("defaultExecutionStartToCloseTimeout", in.DefaultExecutionStartToCloseTimeout),
		checkTaskList("defaultTaskList", in.DefaultTaskList),
		checkPriority("defaultTaskPriority", in.DefaultTaskPriority),
	); err != nil {
		return err
	}
	config, err := json.Marshal(swfapi.WorkflowTypeConfiguration{
		DefaultTaskStartToCloseTimeout:      in.DefaultTaskStartToCloseTimeout,
		DefaultExecutionStartToCloseTimeout: in.DefaultExecutionStartToCloseTimeout,
		DefaultTaskList:                     in.DefaultTaskList,
		DefaultTaskPriority:                 in.DefaultTaskPriority,
		DefaultChildPolicy:                  in.DefaultChildPolicy,
		DefaultLambdaRole:                   in.DefaultLambdaRole,
	})
	if err != nil {
		return err
	}
	key := store.TypeKey{Domain: *in.Domain, Kind: store.WorkflowType, Name: *in.Name, Version: *in.Version}
	return s.registerType(ctx, key, deref(in.Description), config)
}

func (s *Service) registerType(ctx context.Context, key store.TypeKey, description string, config []byte) error {
	if _, err := s.registeredDomain(ctx, key.Domain); err != nil {
		return err
	}
	t := store.Type{
		TypeKey:     key,
		Description: description,
		Status:      store.StatusRegistered,
		CreatedAt:   s.clock.Now(),
		Config:      config,
	}
	// The pre-check above answers most calls without a write; this one,
	// inside the store's transaction, closes the race with a concurrent
	// DeprecateDomain.
	check := func(d store.Domain) error {
		if d.Status != store.StatusRegistered {
			return unknownDomain(key.Domain)
		}
		return nil
	}
	switch err := s.store.CreateType(ctx, t, s.cfg.Limits.TypesPerKind, check); {
	case errors.Is(err, store.ErrExists):
		return typeAlreadyExists(key)
	case errors.Is(err, store.ErrNotFound):
		return unknownDomain(key.Domain)
	case errors.Is(err, store.ErrLimit):
		return swfapi.NewFault(swfapi.CodeLimitExceeded, "Limit of %d registered %s types in domain %s, including deprecated ones, has been reached", s.cfg.Limits.TypesPerKind, key.Kind, key.Domain)
	default:
		return err
	}
}

// checkTaskList checks a task list's name against SWF's name rules.
func checkTaskList(path string, tl *swfapi.TaskList) error {
	if tl == nil {
		return nil
	}
	return checkName(path+".name", *tl.Name)
}

// DescribeActivityType returns an activity type's information and defaults.
func (s *Service) DescribeActivityType(ctx context.Context, in *swfapi.DescribeActivityTypeInput) (*swfapi.ActivityTypeDetail, error) {
	t, err := s.typ(ctx, activityKey(*in.Domain, in.ActivityType))
	if err != nil {
		return nil, err
	}
	out := &swfapi.ActivityTypeDetail{TypeInfo: activityTypeInfo(t), Configuration: &swfapi.ActivityTypeConfiguration{}}
	if err := json.Unmarshal(t.Config, out.Configuration); err != nil {
		return nil, err
	}
	return out, nil
}

// DescribeWorkflowType returns a workflow type's information and defaults.
func (s *Service) DescribeWorkflowType(ctx context.Context, in *swfapi.DescribeWorkflowTypeInput) (*swfapi.WorkflowTypeDetail, error) {
	t, err := s.typ(ctx, workflowKey(*in.Domain, in.WorkflowType))
	if err != nil {
		return nil, err
	}
	out := &swfapi.WorkflowTypeDetail{TypeInfo: workflowTypeInfo(t), Configuration: &swfapi.WorkflowTypeConfiguration{}}
	if err := json.Unmarshal(t.Config, out.Configuration); err != nil {
		return nil, err
	}
	return out, nil
}

// typ loads a type; its domain must exist (in any status).
func (s *Service) typ(ctx context.Context, key store.TypeKey) (store.Type, error) {
	if _, err := s.domain(ctx, key.Domain); err != nil {
		return store.Type{}, err
	}
	t, err := s.store.GetType(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return t, unknownType(key)
	}
	return t, err
}

// DeprecateActivityType deprecates an activity type.
func (s *Service) DeprecateActivityType(ctx context.Context, in *swfapi.DeprecateActivityTypeInput) error {
	return s.deprecateType(ctx, activityKey(*in.Domain, in.ActivityType))
}

// DeprecateWorkflowType deprecates a workflow type.
func (s *Service) DeprecateWorkflowType(ctx context.Context, in *swfapi.DeprecateWorkflowTypeInput) error {
	return s.deprecateType(ctx, workflowKey(*in.Domain, in.WorkflowType))
}

// UndeprecateActivityType makes a deprecated activity type usable again.
func (s *Service) UndeprecateActivityType(ctx context.Context, in *swfapi.UndeprecateActivityTypeInput) error {
	return s.undeprecateType(ctx, activityKey(*in.Domain, in.ActivityType))
}

// UndeprecateWorkflowType makes a deprecated workflow type usable again.
func (s *Service) UndeprecateWorkflowType(ctx context.Context, in *swfapi.UndeprecateWorkflowTypeInput) error {
	return s.undeprecateType(ctx, workflowKey(*in.Domain, in.WorkflowType))
}

// DeleteActivityType deletes a deprecated activity type.
func (s *Service) DeleteActivityType(ctx context.Context, in *swfapi.DeleteActivityTypeInput) error {
	return s.deleteType(ctx, activityKey(*in.Domain, in.ActivityType))
}

// DeleteWorkflowType deletes a deprecated workflow type.
func (s *Service) DeleteWorkflowType(ctx context.Context, in *swfapi.DeleteWorkflowTypeInput) error {
	return s.deleteType(ctx, workflowKey(*in.Domain, in.WorkflowType))
}

func (s *Service) deprecateType(ctx context.Context, key store.TypeKey) error {
	now := s.clock.Now()
	return s.updateType(ctx, key, func(t *store.Type) error {
		if t.Status == store.StatusDeprecated {
			return typeDeprecated(key)
		}
		t.Status, t.DeprecatedAt = store.StatusDeprecated, now
		return nil
	})
}

func (s *Service) undeprecateType(ctx context.Context, key store.TypeKey) error {
	return s.updateType(ctx, key, func(t *store.Type) error {
		if t.Status == store.StatusRegistered {
			return typeAlreadyExists(key)
		}
		t.Status = store.StatusRegistered
		t.DeprecatedAt = store.Type{}.DeprecatedAt
		return nil
	})
}

func (s *Service) updateType(ctx context.Context, key store.TypeKey, change func(*store.Type) error) error {
	if _, err := s.domain(ctx, key.Domain); err != nil {
		return err
	}
	_, err := s.store.UpdateType(ctx, key, change)
	if errors.Is(err, store.ErrNotFound) {
		return unknownType(key)
	}
	return err
}

func (s *Service) deleteType(ctx context.Context, key store.TypeKey) error {
	if _, err := s.domain(ctx, key.Domain); err != nil {
		return err
	}
	err := s.store.DeleteType(ctx, key, func(t store.Type) error {
		if t.Status != store.StatusDeprecated {
			return typeNotDeprecated()
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return unknownType(key)
	}
	return err
}

// ListActivityTypes lists a domain's activity types of one status.
func (s *Service) ListActivityTypes(ctx context.Context, in *swfapi.ListActivityTypesInput) (*swfapi.ActivityTypeInfos, error) {
	types, next, err := s.listTypes(ctx, store.ActivityType, *in.Domain, string(*in.RegistrationStatus), in.Name, in.ReverseOrder, in.MaximumPageSize, in.NextPageToken)
	if err != nil {
		return nil, err
	}
	out := &swfapi.ActivityTypeInfos{TypeInfos: []swfapi.ActivityTypeInfo{}, NextPageToken: next}
	for _, t := range types {
		out.TypeInfos = append(out.TypeInfos, *activityTypeInfo(t))
	}
	return out, nil
}

// ListWorkflowTypes lists a domain's workflow types of one status.
func (s *Service) ListWorkflowTypes(ctx context.Context, in *swfapi.ListWorkflowTypesInput) (*swfapi.WorkflowTypeInfos, error) {
	types, next, err := s.listTypes(ctx, store.WorkflowType, *in.Domain, string(*in.RegistrationStatus), in.Name, in.ReverseOrder, in.MaximumPageSize, in.NextPageToken)
	if err != nil {
		return nil, err
	}
	out := &swfapi.WorkflowTypeInfos{TypeInfos: []swfapi.WorkflowTypeInfo{}, NextPageToken: next}
	for _, t := range types {
		out.TypeInfos = append(out.TypeInfos, *workflowTypeInfo(t))
	}
	return out, nil
}

// listTypes returns one page of types, by name then version, and the token
// of the next page when there is one.
func (s *Service) listTypes(ctx context.Context, kind store.TypeKind, domain, status string, name *string, reverseOrder *bool, maximum *int32, token *string) ([]store.Type, *string, error) {
	if _, err := s.domain(ctx, domain); err != nil {
		return nil, nil, err
	}
	reverse := deref(reverseOrder)
	query := queryKey("List", string(kind), domain, status, strconv.FormatBool(name != nil), deref(name), strconv.FormatBool(reverse))
	after, err := s.pages.read(query, token)
	if err != nil {
		return nil, nil, err
	}
	limit := pageSize(maximum)
	q := store.TypeQuery{Domain: domain, Kind: kind, Status: status, Name: deref(name), Reverse: reverse, Limit: limit + 1}
	if len(after) == 2 {
		q.AfterName, q.AfterVersion = after[0], after[1]
	}
	types, err := s.store.ListTypes(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	var next *string
	if len(types) > limit {
		types = types[:limit]
		last := types[limit-1]
		next = s.pages.make(query, last.Name, last.Version)
	}
	return types, next, nil
}

func activityTypeInfo(t store.Type) *swfapi.ActivityTypeInfo {
	info := &swfapi.ActivityTypeInfo{
		ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr(t.Name), Version: swfapi.Ptr(t.Version)},
		Status:       swfapi.Ptr(swfapi.RegistrationStatus(t.Status)),
		CreationDate: swfapi.NewTimestamp(t.CreatedAt),
	}
	if t.Description != "" {
		info.Description = swfapi.Ptr(t.Description)
	}
	if !t.DeprecatedAt.IsZero() {
		info.DeprecationDate = swfapi.NewTimestamp(t.DeprecatedAt)
	}
	return info
}

func workflowTypeInfo(t store.Type) *swfapi.WorkflowTypeInfo {
	info := &swfapi.WorkflowTypeInfo{
		WorkflowType: &swfapi.WorkflowType{Name: swfapi.Ptr(t.Name), Version: swfapi.Ptr(t.Version)},
		Status:       swfapi.Ptr(swfapi.RegistrationStatus(t.Status)),
		CreationDate: swfapi.NewTimestamp(t.CreatedAt),
	}
	if t.Description != "" {
		info.Description = swfapi.Ptr(t.Description)
	}
	if !t.DeprecatedAt.IsZero() {
		info.DeprecationDate = swfapi.NewTimestamp(t.DeprecatedAt)
	}
	return info
}

// DefaultTaskList returns the default task list of a registered type, ""
// when it has none or there is no such type: the value SWF's policies judge
// swf:taskList.name by when a call or decision leaves its task list out.
func (s *Service) DefaultTaskList(ctx context.Context, domain string, activity bool, name, version string) (string, error) {
	key := store.TypeKey{Domain: domain, Kind: store.WorkflowType, Name: name, Version: version}
	if activity {
		key.Kind = store.ActivityType
	}
	t, err := s.store.GetType(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var cfg struct {
		DefaultTaskList *swfapi.TaskList `json:"defaultTaskList"`
	}
	if err := json.Unmarshal(t.Config, &cfg); err != nil {
		return "", err
	}
	if cfg.DefaultTaskList == nil || cfg.DefaultTaskList.Name == nil {
		return "", nil
	}
	return *cfg.DefaultTaskList.Name, nil
}
