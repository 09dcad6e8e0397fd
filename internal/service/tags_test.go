package service_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"

	"github.com/openswf/openswf/swftest"
)

const arnPrefix = "arn:aws:swf:us-east-1:123456789012:/domain/"

func tag(k, v string) types.ResourceTag {
	return types.ResourceTag{Key: aws.String(k), Value: aws.String(v)}
}

func tagMap(t *testing.T, c *swf.Client, domain string) map[string]string {
	t.Helper()
	out, err := c.ListTagsForResource(ctx, &swf.ListTagsForResourceInput{ResourceArn: aws.String(arnPrefix + domain)})
	must(t, err)
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func TestTags(t *testing.T) {
	s := swftest.Start(t, swftest.Options{})
	c := s.Client
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{
		Name: aws.String("d"), WorkflowExecutionRetentionPeriodInDays: aws.String("1"),
		Tags: []types.ResourceTag{tag("env", "prod"), tag("team", "a")},
	})
	must(t, err)
	if got := tagMap(t, c, "d"); len(got) != 2 || got["env"] != "prod" || got["team"] != "a" {
		t.Fatalf("tags after register: %v", got)
	}
	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String(arnPrefix + "d"), Tags: []types.ResourceTag{tag("team", "b"), tag("cost", "42")}})
	must(t, err)
	if got := tagMap(t, c, "d"); len(got) != 3 || got["team"] != "b" || got["cost"] != "42" {
		t.Fatalf("tags after TagResource: %v", got)
	}
	_, err = c.UntagResource(ctx, &swf.UntagResourceInput{ResourceArn: aws.String(arnPrefix + "d"), TagKeys: []string{"env", "missing"}})
	must(t, err)
	if got := tagMap(t, c, "d"); len(got) != 2 || got["env"] != "" {
		t.Fatalf("tags after UntagResource: %v", got)
	}

	registerDomain(t, c, "bare")
	out, err := c.ListTagsForResource(ctx, &swf.ListTagsForResourceInput{ResourceArn: aws.String(arnPrefix + "bare")})
	must(t, err)
	if out.Tags == nil || len(out.Tags) != 0 {
		t.Fatalf("untagged domain: %+v", out.Tags)
	}

	for _, arn := range []string{arnPrefix + "missing", "arn:aws:swf:eu-west-1:123456789012:/domain/d", "arn:aws:swf:us-east-1:999999999999:/domain/d", "not-an-arn"} {
		_, err = c.ListTagsForResource(ctx, &swf.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		wantFault(t, err, "UnknownResourceFault", "")
		_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.ResourceTag{tag("a", "b")}})
		wantFault(t, err, "UnknownResourceFault", "")
		_, err = c.UntagResource(ctx, &swf.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a"}})
		wantFault(t, err, "UnknownResourceFault", "")
	}

	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String(arnPrefix + "d"), Tags: []types.ResourceTag{tag("bad#key", "v")}})
	wantFault(t, err, "ValidationException", "at 'tags.1.member.key'")
	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String(arnPrefix + "d"), Tags: []types.ResourceTag{tag("k", "ok"), tag("k2", "bad!")}})
	wantFault(t, err, "ValidationException", "at 'tags.2.member.value'")
	wantRawFault(t, s.URL, "TagResource", `{"resourceArn":"`+arnPrefix+`d","tags":[{"value":"v"}]}`, "ValidationException", "Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null")
	_, err = c.UntagResource(ctx, &swf.UntagResourceInput{ResourceArn: aws.String(arnPrefix + "d"), TagKeys: []string{""}})
	wantFault(t, err, "ValidationException", "at 'tagKeys.1.member' failed to satisfy constraint: Member must have length greater than or equal to 1")
	wantRawFault(t, s.URL, "TagResource", `{"resourceArn":"`+arnPrefix+`d"}`, "ValidationException", "Value null at 'tags' failed to satisfy constraint: Member must not be null")
}

func TestTooManyTags(t *testing.T) {
	c := swftest.Start(t, swftest.Options{}).Client
	var fifty, fiftyOne []types.ResourceTag
	for i := range 51 {
		tg := tag(fmt.Sprintf("k%02d", i), "v")
		if i < 50 {
			fifty = append(fifty, tg)
		}
		fiftyOne = append(fiftyOne, tg)
	}
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("over"), WorkflowExecutionRetentionPeriodInDays: aws.String("1"), Tags: fiftyOne})
	wantFault(t, err, "TooManyTagsFault", "")
	_, err = c.DescribeDomain(ctx, &swf.DescribeDomainInput{Name: aws.String("over")})
	wantFault(t, err, "UnknownResourceFault", "")

	_, err = c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String("full"), WorkflowExecutionRetentionPeriodInDays: aws.String("1"), Tags: fifty})
	must(t, err)
	// Re-setting an existing key does not add a tag.
	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String(arnPrefix + "full"), Tags: []types.ResourceTag{tag("k00", "new")}})
	must(t, err)
	_, err = c.TagResource(ctx, &swf.TagResourceInput{ResourceArn: aws.String(arnPrefix + "full"), Tags: []types.ResourceTag{tag("extra", "v")}})
	wantFault(t, err, "TooManyTagsFault", "")
	if got := tagMap(t, c, "full"); len(got) != 50 || got["k00"] != "new" {
		t.Fatalf("after refused TagResource: %d tags, k00=%q", len(got), got["k00"])
	}
}
