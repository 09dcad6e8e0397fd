package service_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/swftest"
)

func TestActivityTypeLifecycle(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 3, 4, 5, 6, 7, 890e6, time.UTC))
	c := swftest.Start(t, swftest.Options{Clock: clk}).Client
	registerDomain(t, c, "d")
	_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{
		Domain:                            aws.String("d"),
		Name:                              aws.String("resize"),
		Version:                           aws.String("1.0"),
		Description:                       aws.String("resizes images"),
		DefaultTaskList:                   &types.TaskList{Name: aws.String("images")},
		DefaultTaskPriority:               aws.String("-5"),
		DefaultTaskStartToCloseTimeout:    aws.String("300"),
		DefaultTaskHeartbeatTimeout:       aws.String("NONE"),
		DefaultTaskScheduleToStartTimeout: aws.String("60"),
		DefaultTaskScheduleToCloseTimeout: aws.String("360"),
	})
	must(t, err)
	key := &types.ActivityType{Name: aws.String("resize"), Version: aws.String("1.0")}

	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("resize"), Version: aws.String("1.0")})
	wantFault(t, err, "TypeAlreadyExistsFault", "ActivityType=[name=resize, version=1.0]")

	out, err := c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	must(t, err)
	cfg := out.Configuration
	if aws.ToString(cfg.DefaultTaskList.Name) != "images" || aws.ToString(cfg.DefaultTaskPriority) != "-5" ||
		aws.ToString(cfg.DefaultTaskStartToCloseTimeout) != "300" || aws.ToString(cfg.DefaultTaskHeartbeatTimeout) != "NONE" ||
		aws.ToString(cfg.DefaultTaskScheduleToStartTimeout) != "60" || aws.ToString(cfg.DefaultTaskScheduleToCloseTimeout) != "360" {
		t.Fatalf("configuration %+v", cfg)
	}
	info := out.TypeInfo
	if info.Status != types.RegistrationStatusRegistered || aws.ToString(info.Description) != "resizes images" || info.DeprecationDate != nil {
		t.Fatalf("type info %+v", info)
	}
	if !info.CreationDate.Equal(clk.Now()) {
		t.Fatalf("creationDate %v, want %v", info.CreationDate, clk.Now())
	}

	_, err = c.DeleteActivityType(ctx, &swf.DeleteActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	wantFault(t, err, "TypeNotDeprecatedFault", "")
	_, err = c.UndeprecateActivityType(ctx, &swf.UndeprecateActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	wantFault(t, err, "TypeAlreadyExistsFault", "ActivityType=[name=resize, version=1.0]")

	clk.Advance(time.Hour)
	_, err = c.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	must(t, err)
	_, err = c.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	wantFault(t, err, "TypeDeprecatedFault", "ActivityType=[name=resize, version=1.0]")
	out, err = c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	must(t, err)
	if out.TypeInfo.Status != types.RegistrationStatusDeprecated || out.TypeInfo.DeprecationDate == nil || !out.TypeInfo.DeprecationDate.Equal(clk.Now()) {
		t.Fatalf("deprecated type info %+v", out.TypeInfo)
	}

	_, err = c.UndeprecateActivityType(ctx, &swf.UndeprecateActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	must(t, err)
	out, err = c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	must(t, err)
	if out.TypeInfo.Status != types.RegistrationStatusRegistered || out.TypeInfo.DeprecationDate != nil {
		t.Fatalf("undeprecated type info %+v", out.TypeInfo)
	}

	_, err = c.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	must(t, err)
	_, err = c.DeleteActivityType(ctx, &swf.DeleteActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	must(t, err)
	_, err = c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	wantFault(t, err, "UnknownResourceFault", "Unknown type: ActivityType=[name=resize, version=1.0]")
	_, err = c.DeleteActivityType(ctx, &swf.DeleteActivityTypeInput{Domain: aws.String("d"), ActivityType: key})
	wantFault(t, err, "UnknownResourceFault", "Unknown type: ActivityType=[name=resize, version=1.0]")
}

func TestWorkflowTypeLifecycle(t *testing.T) {
	c := swftest.Start(t, swftest.Options{}).Client
	registerDomain(t, c, "d")
	_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{
		Domain:                              aws.String("d"),
		Name:                                aws.String("order"),
		Version:                             aws.String("2"),
		DefaultTaskList:                     &types.TaskList{Name: aws.String("deciders")},
		DefaultTaskStartToCloseTimeout:      aws.String("30"),
		DefaultExecutionStartToCloseTimeout: aws.String("3600"),
		DefaultChildPolicy:                  types.ChildPolicyRequestCancel,
		DefaultTaskPriority:                 aws.String("10"),
		DefaultLambdaRole:                   aws.String("arn:aws:iam::123456789012:role/lambda"),
	})
	must(t, err)
	key := &types.WorkflowType{Name: aws.String("order"), Version: aws.String("2")}
	out, err := c.DescribeWorkflowType(ctx, &swf.DescribeWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: key})
	must(t, err)
	cfg := out.Configuration
	if aws.ToString(cfg.DefaultTaskList.Name) != "deciders" || cfg.DefaultChildPolicy != types.ChildPolicyRequestCancel ||
		aws.ToString(cfg.DefaultExecutionStartToCloseTimeout) != "3600" || aws.ToString(cfg.DefaultTaskStartToCloseTimeout) != "30" ||
		aws.ToString(cfg.DefaultTaskPriority) != "10" || aws.ToString(cfg.DefaultLambdaRole) == "" {
		t.Fatalf("configuration %+v", cfg)
	}
	// An activity type and a workflow type of one name and version coexist.
	registerActivity(t, c, "d", "order", "2")
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("order"), Version: aws.String("2")})
	wantFault(t, err, "TypeAlreadyExistsFault", "WorkflowType=[name=order, version=2]")

	_, err = c.DeleteWorkflowType(ctx, &swf.DeleteWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: key})
	wantFault(t, err, "TypeNotDeprecatedFault", "")
	_, err = c.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: key})
	must(t, err)
	_, err = c.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: key})
	wantFault(t, err, "TypeDeprecatedFault", "WorkflowType=[name=order, version=2]")
	_, err = c.UndeprecateWorkflowType(ctx, &swf.UndeprecateWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: key})
	must(t, err)
	_, err = c.UndeprecateWorkflowType(ctx, &swf.UndeprecateWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: key})
	wantFault(t, err, "TypeAlreadyExistsFault", "WorkflowType=[name=order, version=2]")
	_, err = c.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: key})
	must(t, err)
	_, err = c.DeleteWorkflowType(ctx, &swf.DeleteWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: key})
	must(t, err)
	_, err = c.DescribeWorkflowType(ctx, &swf.DescribeWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: key})
	wantFault(t, err, "UnknownResourceFault", "Unknown type: WorkflowType=[name=order, version=2]")
	// The activity type of the same name is untouched.
	_, err = c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: &types.ActivityType{Name: aws.String("order"), Version: aws.String("2")}})
	must(t, err)
}

func TestTypeFaults(t *testing.T) {
	s := swftest.Start(t, swftest.Options{})
	c := s.Client
	registerDomain(t, c, "d")
	act := &types.ActivityType{Name: aws.String("a"), Version: aws.String("1")}
	wf := &types.WorkflowType{Name: aws.String("w"), Version: aws.String("1")}
	calls := map[string]func(domain string) error{
		"RegisterActivityType": func(d string) error {
			_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String(d), Name: aws.String("a"), Version: aws.String("1")})
			return err
		},
		"RegisterWorkflowType": func(d string) error {
			_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String(d), Name: aws.String("w"), Version: aws.String("1")})
			return err
		},
		"DescribeActivityType": func(d string) error {
			_, err := c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String(d), ActivityType: act})
			return err
		},
		"DeprecateWorkflowType": func(d string) error {
			_, err := c.DeprecateWorkflowType(ctx, &swf.DeprecateWorkflowTypeInput{Domain: aws.String(d), WorkflowType: wf})
			return err
		},
		"ListActivityTypes": func(d string) error {
			_, err := c.ListActivityTypes(ctx, &swf.ListActivityTypesInput{Domain: aws.String(d), RegistrationStatus: types.RegistrationStatusRegistered})
			return err
		},
		"ListWorkflowTypes": func(d string) error {
			_, err := c.ListWorkflowTypes(ctx, &swf.ListWorkflowTypesInput{Domain: aws.String(d), RegistrationStatus: types.RegistrationStatusRegistered})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantFault(t, call("missing"), "UnknownResourceFault", "Unknown domain: missing")
		})
	}
	_, err := c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: act})
	wantFault(t, err, "UnknownResourceFault", "Unknown type: ActivityType=[name=a, version=1]")
	_, err = c.UndeprecateWorkflowType(ctx, &swf.UndeprecateWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: wf})
	wantFault(t, err, "UnknownResourceFault", "Unknown type: WorkflowType=[name=w, version=1]")

	for _, tc := range []struct {
		in   swf.RegisterActivityTypeInput
		want string
	}{
		{swf.RegisterActivityTypeInput{Name: aws.String("a:b"), Version: aws.String("1")}, "at 'name'"},
		{swf.RegisterActivityTypeInput{Name: aws.String("a"), Version: aws.String("1|2")}, "at 'version'"},
		{swf.RegisterActivityTypeInput{Name: aws.String("a"), Version: aws.String("1"), DefaultTaskStartToCloseTimeout: aws.String("ten")}, "at 'defaultTaskStartToCloseTimeout'"},
		{swf.RegisterActivityTypeInput{Name: aws.String("a"), Version: aws.String("1"), DefaultTaskHeartbeatTimeout: aws.String("123456789")}, "Member must have length less than or equal to 8"},
		{swf.RegisterActivityTypeInput{Name: aws.String("a"), Version: aws.String("1"), DefaultTaskPriority: aws.String("high")}, "at 'defaultTaskPriority'"},
		{swf.RegisterActivityTypeInput{Name: aws.String("a"), Version: aws.String("1"), DefaultTaskPriority: aws.String("2147483648")}, "at 'defaultTaskPriority'"},
		{swf.RegisterActivityTypeInput{Name: aws.String("a"), Version: aws.String("1"), DefaultTaskList: &types.TaskList{Name: aws.String("x/y")}}, "at 'defaultTaskList.name'"},
	} {
		in := tc.in
		in.Domain = aws.String("d")
		_, err := c.RegisterActivityType(ctx, &in)
		wantFault(t, err, "ValidationException", tc.want)
	}
	wantRawFault(t, s.URL, "RegisterActivityType", `{"domain":"d","name":"a","version":"1","defaultTaskList":{}}`, "ValidationException", "Value null at 'defaultTaskList.name' failed to satisfy constraint: Member must not be null")
	wantRawFault(t, s.URL, "RegisterActivityType", `{"domain":"d","version":"1"}`, "ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("w"), Version: aws.String("1"), DefaultChildPolicy: "KILL"})
	wantFault(t, err, "ValidationException", "Value 'KILL' at 'defaultChildPolicy' failed to satisfy constraint: Member must satisfy enum value set: [TERMINATE, REQUEST_CANCEL, ABANDON]")

	// A workflow type's default run duration is refused when registered,
	// as a start's own would be: not NONE, from a second to a year.
	for i, v := range []string{"NONE", "0", "31536001", "1e3"} {
		_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("w"),
			Version: aws.String(fmt.Sprint("bad-", i)), DefaultExecutionStartToCloseTimeout: aws.String(v)})
		wantFault(t, err, "ValidationException", "Value '"+v+"' at 'defaultExecutionStartToCloseTimeout' failed to satisfy constraint")
	}
	_, err = c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String("d"), Name: aws.String("w"),
		Version: aws.String("year"), DefaultExecutionStartToCloseTimeout: aws.String("31536000")})
	must(t, err)
}

func TestListTypes(t *testing.T) {
	c := swftest.Start(t, swftest.Options{}).Client
	registerDomain(t, c, "d")
	registerDomain(t, c, "other")
	for _, nv := range [][2]string{{"b", "2"}, {"a", "1"}, {"b", "1"}, {"c", "1"}, {"a", "2"}} {
		registerActivity(t, c, "d", nv[0], nv[1])
	}
	registerActivity(t, c, "other", "a", "9")
	registerWorkflow(t, c, "d", "a", "w")
	_, err := c.DeprecateActivityType(ctx, &swf.DeprecateActivityTypeInput{Domain: aws.String("d"), ActivityType: &types.ActivityType{Name: aws.String("c"), Version: aws.String("1")}})
	must(t, err)

	list := func(in *swf.ListActivityTypesInput) []string {
		t.Helper()
		var got []string
		p := swf.NewListActivityTypesPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			must(t, err)
			for _, ti := range page.TypeInfos {
				got = append(got, aws.ToString(ti.ActivityType.Name)+"/"+aws.ToString(ti.ActivityType.Version))
			}
		}
		return got
	}
	reg := types.RegistrationStatusRegistered
	for _, tc := range []struct {
		in   swf.ListActivityTypesInput
		want []string
	}{
		{swf.ListActivityTypesInput{}, []string{"a/1", "a/2", "b/1", "b/2"}},
		{swf.ListActivityTypesInput{MaximumPageSize: 1}, []string{"a/1", "a/2", "b/1", "b/2"}},
		{swf.ListActivityTypesInput{MaximumPageSize: 3, ReverseOrder: true}, []string{"b/2", "b/1", "a/2", "a/1"}},
		{swf.ListActivityTypesInput{Name: aws.String("b"), MaximumPageSize: 1}, []string{"b/1", "b/2"}},
		{swf.ListActivityTypesInput{Name: aws.String("zzz")}, nil},
		{swf.ListActivityTypesInput{RegistrationStatus: types.RegistrationStatusDeprecated}, []string{"c/1"}},
	} {
		in := tc.in
		in.Domain = aws.String("d")
		if in.RegistrationStatus == "" {
			in.RegistrationStatus = reg
		}
		if got := list(&in); !slices.Equal(got, tc.want) {
			t.Errorf("ListActivityTypes(name=%v, size=%d, reverse=%v, status=%s) = %v, want %v", aws.ToString(in.Name), in.MaximumPageSize, in.ReverseOrder, in.RegistrationStatus, got, tc.want)
		}
	}

	wfs, err := c.ListWorkflowTypes(ctx, &swf.ListWorkflowTypesInput{Domain: aws.String("d"), RegistrationStatus: reg})
	must(t, err)
	if len(wfs.TypeInfos) != 1 || aws.ToString(wfs.TypeInfos[0].WorkflowType.Version) != "w" || wfs.TypeInfos[0].CreationDate == nil {
		t.Fatalf("workflow types %+v", wfs.TypeInfos)
	}

	// A token from one domain's listing is refused in another's.
	page, err := c.ListActivityTypes(ctx, &swf.ListActivityTypesInput{Domain: aws.String("d"), RegistrationStatus: reg, MaximumPageSize: 1})
	must(t, err)
	_, err = c.ListActivityTypes(ctx, &swf.ListActivityTypesInput{Domain: aws.String("other"), RegistrationStatus: reg, NextPageToken: page.NextPageToken})
	wantFault(t, err, "ValidationException", "Invalid token")
	_, err = c.ListWorkflowTypes(ctx, &swf.ListWorkflowTypesInput{Domain: aws.String("d"), RegistrationStatus: reg, NextPageToken: page.NextPageToken})
	wantFault(t, err, "ValidationException", "Invalid token")
}
