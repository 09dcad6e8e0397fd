package service_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/swftest"
)

func TestRegisterAndDescribeDomain(t *testing.T) {
	c := swftest.Start(t, swftest.Options{}).Client
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{
		Name:                                   aws.String("orders"),
		Description:                            aws.String("order processing"),
		WorkflowExecutionRetentionPeriodInDays: aws.String("30"),
	})
	must(t, err)
	out, err := c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("orders")})
	must(t, err)
	info := out.DomainInfo
	if aws.ToString(info.Name) != "orders" || info.Status != types.RegistrationStatusRegistered || aws.ToString(info.Description) != "order processing" {
		t.Fatalf("domain info %+v", info)
	}
	if want := "arn:aws:swf:us-east-1:123456789012:/domain/orders"; aws.ToString(info.Arn) != want {
		t.Fatalf("arn %q, want %q", aws.ToString(info.Arn), want)
	}
	if got := aws.ToString(out.Configuration.WorkflowExecutionRetentionPeriodInDays); got != "30" {
		t.Fatalf("retention %q", got)
	}

	_, err = c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("orders"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	wantFault(t, err, "DomainAlreadyExistsFault", "orders")

	_, err = c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("nope")})
	wantFault(t, err, "UnknownResourceFault", "Unknown domain: nope")
}

func TestRegisterDomainValidation(t *testing.T) {
	c := swftest.Start(t, swftest.Options{}).Client
	tests := []struct {
		name, retention string
		code, msg       string
	}{
		{"ok-none", "NONE", "", ""},
		{"ok-zero", "0", "", ""},
		{"ok-ninety", "90", "", ""},
		{"too-long-retention", "91", "ValidationException", "workflowExecutionRetentionPeriodInDays"},
		{"negative", "-1", "ValidationException", "workflowExecutionRetentionPeriodInDays"},
		{"words", "ten", "ValidationException", "workflowExecutionRetentionPeriodInDays"},
		{"", "1", "ValidationException", "Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{strings.Repeat("x", 257), "1", "ValidationException", "Member must have length less than or equal to 256"},
		{"a:b", "1", "ValidationException", "at 'name'"},
		{"a/b", "1", "ValidationException", "at 'name'"},
		{"a|b", "1", "ValidationException", "at 'name'"},
		{"a\tb", "1", "ValidationException", "at 'name'"},
		{"a\u0085b", "1", "ValidationException", "at 'name'"},
		{"arn", "1", "ValidationException", "at 'name'"},
		{" padded", "1", "ValidationException", "whitespace"},
		{"ok-arn-inside", "1", "", ""},
		{"ok-retention-long", "123456789", "ValidationException", "Member must have length less than or equal to 8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(tc.name), WorkflowExecutionRetentionPeriodInDays: aws.String(tc.retention)})
			if tc.code == "" {
				must(t, err)
				return
			}
			wantFault(t, err, tc.code, tc.msg)
		})
	}

	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("x"), WorkflowExecutionRetentionPeriodInDays: aws.String("1"), Description: aws.String(strings.Repeat("d", 1025))})
	wantFault(t, err, "ValidationException", "at 'description' failed to satisfy constraint: Member must have length less than or equal to 1024")
}

func TestDeprecateAndUndeprecateDomain(t *testing.T) {
	c := swftest.Start(t, swftest.Options{}).Client
	registerDomain(t, c, "d")
	registerActivity(t, c, "d", "a", "1")
	registerWorkflow(t, c, "d", "w", "1")

	_, err := c.UndeprecateDomain(ctx, &swf.UndeprecateDomainInput{Name: aws.String("d")})
	wantFault(t, err, "DomainAlreadyExistsFault", "d")

	_, err = c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("d")})
	must(t, err)
	_, err = c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("d")})
	wantFault(t, err, "DomainDeprecatedFault", "d")
	_, err = c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("nope")})
	wantFault(t, err, "UnknownResourceFault", "Unknown domain: nope")

	out, err := c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("d")})
	must(t, err)
	if out.DomainInfo.Status != types.RegistrationStatusDeprecated {
		t.Fatalf("status %s", out.DomainInfo.Status)
	}
	// Deprecating a domain deprecates its types.
	at, err := c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("d"), ActivityType: &types.ActivityType{Name: aws.String("a"), Version: aws.String("1")}})
	must(t, err)
	if at.TypeInfo.Status != types.RegistrationStatusDeprecated || at.TypeInfo.DeprecationDate == nil {
		t.Fatalf("activity type after domain deprecation: %+v", at.TypeInfo)
	}
	wt, err := c.DescribeWorkflowType(ctx, &swf.DescribeWorkflowTypeInput{Domain: aws.String("d"), WorkflowType: &types.WorkflowType{Name: aws.String("w"), Version: aws.String("1")}})
	must(t, err)
	if wt.TypeInfo.Status != types.RegistrationStatusDeprecated {
		t.Fatalf("workflow type after domain deprecation: %+v", wt.TypeInfo)
	}
	// A deprecated domain takes no new types.
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("d"), Name: aws.String("b"), Version: aws.String("1")})
	wantFault(t, err, "UnknownResourceFault", "Unknown domain: d")

	_, err = c.UndeprecateDomain(ctx, &swf.UndeprecateDomainInput{Name: aws.String("d")})
	must(t, err)
	_, err = c.UndeprecateDomain(ctx, &swf.UndeprecateDomainInput{Name: aws.String("nope")})
	wantFault(t, err, "UnknownResourceFault", "Unknown domain: nope")
	registerActivity(t, c, "d", "b", "1")
}

func TestListDomainsPagingAndOrder(t *testing.T) {
	s := swftest.Start(t, swftest.Options{})
	c := s.Client
	var names []string
	for i := range 7 {
		n := fmt.Sprintf("dom-%02d", 6-i)
		registerDomain(t, c, n)
		names = append(names, n)
	}
	registerDomain(t, c, "old")
	_, err := c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("old")})
	must(t, err)
	slices.Sort(names)

	all, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered})
	must(t, err)
	if got := domainNames(all.DomainInfos); !slices.Equal(got, names) || all.NextPageToken != nil {
		t.Fatalf("ListDomains = %v (token %v), want %v", got, all.NextPageToken, names)
	}
	if aws.ToString(all.DomainInfos[0].Arn) == "" {
		t.Fatal("DomainInfo lacks arn")
	}
	dep, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusDeprecated})
	must(t, err)
	if got := domainNames(dep.DomainInfos); !slices.Equal(got, []string{"old"}) {
		t.Fatalf("deprecated domains %v", got)
	}

	for _, reverse := range []bool{false, true} {
		want := slices.Clone(names)
		if reverse {
			slices.Reverse(want)
		}
		var got []string
		pages := 0
		p := swf.NewListDomainsPaginator(c, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: 3, ReverseOrder: reverse})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			must(t, err)
			pages++
			got = append(got, domainNames(page.DomainInfos)...)
		}
		if !slices.Equal(got, want) || pages != 3 {
			t.Fatalf("reverse=%v: paged %v in %d pages, want %v in 3", reverse, got, pages, want)
		}
	}

	// A page that ends exactly at the last item carries no token.
	exact, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: 7})
	must(t, err)
	if len(exact.DomainInfos) != 7 || exact.NextPageToken != nil {
		t.Fatalf("exact page: %d items, token %v", len(exact.DomainInfos), exact.NextPageToken)
	}

	first, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: 2})
	must(t, err)
	tok := aws.ToString(first.NextPageToken)
	for name, bad := range map[string]string{
		"garbage":   "not-a-token",
		"tampered":  tok[:len(tok)-2] + "AA",
		"truncated": tok[:10],
	} {
		_, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, NextPageToken: aws.String(bad)})
		if err == nil {
			t.Fatalf("%s token accepted", name)
		}
		wantFault(t, err, "ValidationException", "")
	}
	// A token belongs to the query that made it.
	_, err = c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusDeprecated, NextPageToken: first.NextPageToken})
	wantFault(t, err, "ValidationException", "Invalid token")

	_, err = c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: 1001})
	wantFault(t, err, "ValidationException", "Member must have value less than or equal to 1000")
	_, err = c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: -1})
	wantFault(t, err, "ValidationException", "Member must have value greater than or equal to 0")
	wantRawFault(t, s.URL, "ListDomains", `{"registrationStatus":"ACTIVE"}`, "ValidationException", "Value 'ACTIVE' at 'registrationStatus' failed to satisfy constraint: Member must satisfy enum value set: [REGISTERED, DEPRECATED]")
	wantRawFault(t, s.URL, "ListDomains", `{}`, "ValidationException", "Value null at 'registrationStatus' failed to satisfy constraint: Member must not be null")
}

func TestDomainLimit(t *testing.T) {
	c := swftest.Start(t, swftest.Options{Limits: &service.Limits{Domains: 2, TypesPerKind: 2, TagsPerDomain: 50}}).Client
	registerDomain(t, c, "a")
	registerDomain(t, c, "b")
	_, err := c.DeprecateDomain(ctx, &swf.DeprecateDomainInput{Name: aws.String("b")})
	must(t, err)
	// Deprecated domains count against the limit.
	_, err = c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("c"), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	wantFault(t, err, "LimitExceededFault", "")

	registerActivity(t, c, "a", "x", "1")
	registerActivity(t, c, "a", "x", "2")
	_, err = c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String("a"), Name: aws.String("x"), Version: aws.String("3")})
	wantFault(t, err, "LimitExceededFault", "")
	// Workflow types have a limit of their own.
	registerWorkflow(t, c, "a", "x", "1")
}

func TestDataSurvivesRestart(t *testing.T) {
	s := swftest.Start(t, swftest.Options{})
	registerDomain(t, s.Client, "durable")
	registerActivity(t, s.Client, "durable", "act", "v1")
	_, err := s.Client.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String("arn:aws:swf:us-east-1:123456789012:/domain/durable"), Tags: []types.ResourceTag{{Key: aws.String("team"), Value: aws.String("core")}}})
	must(t, err)
	registerDomain(t, s.Client, "second")
	page, err := s.Client.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, MaximumPageSize: 1})
	must(t, err)
	s.Stop(t)

	s2 := swftest.Start(t, swftest.Options{Store: s.Store})
	c := s2.Client
	_, err = c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("durable")})
	must(t, err)
	_, err = c.DescribeActivityType(ctx, &swf.DescribeActivityTypeInput{Domain: aws.String("durable"), ActivityType: &types.ActivityType{Name: aws.String("act"), Version: aws.String("v1")}})
	must(t, err)
	tags, err := c.ListTagsForResource(ctx, &swf.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:swf:us-east-1:123456789012:/domain/durable")})
	must(t, err)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "core" {
		t.Fatalf("tags after restart: %+v", tags.Tags)
	}
	// A page token handed out before the restart still works after it.
	next, err := c.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: types.RegistrationStatusRegistered, NextPageToken: page.NextPageToken})
	must(t, err)
	if got := domainNames(next.DomainInfos); !slices.Equal(got, []string{"second"}) {
		t.Fatalf("second page after restart: %v", got)
	}
}
