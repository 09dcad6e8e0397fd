package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
	"github.com/aws/aws-sdk-go-v2/service/swf/types"
	"github.com/aws/smithy-go"
)

var ctx = context.Background()

// wantFault checks that err is the API error code, and that its message
// contains msg when msg is not empty.
func wantFault(t *testing.T, err error, code, msg string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v, want %s", err, code)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("got %s (%s), want %s", apiErr.ErrorCode(), apiErr.ErrorMessage(), code)
	}
	if msg != "" && !strings.Contains(apiErr.ErrorMessage(), msg) {
		t.Fatalf("%s message %q does not contain %q", code, apiErr.ErrorMessage(), msg)
	}
}

// rawPost sends body to operation op as raw AWS JSON, past the SDK's own
// checks and types, and returns the status and the answer's body.
func rawPost(t *testing.T, url, op, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	must(t, err)
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp.StatusCode, raw
}

// wantRawFault sends body to operation op as raw AWS JSON, past the SDK's
// own checks of required members, and checks the error that comes back.
func wantRawFault(t *testing.T, url, op, body, code, msg string) {
	t.Helper()
	status, raw := rawPost(t, url, op, body)
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%s: status %d, undecodable body: %v", op, status, err)
	}
	if status != 400 || !strings.HasSuffix(e.Type, "#"+code) || !strings.Contains(e.Message, msg) {
		t.Fatalf("%s %s: got %d %s %q, want 400 %s containing %q", op, body, status, e.Type, e.Message, code, msg)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func registerDomain(t *testing.T, c *swf.Client, name string) {
	t.Helper()
	_, err := c.RegisterDomain(ctx, &swf.RegisterDomainInput{Name: aws.String(name), WorkflowExecutionRetentionPeriodInDays: aws.String("1")})
	must(t, err)
}

func registerActivity(t *testing.T, c *swf.Client, domain, name, version string) {
	t.Helper()
	_, err := c.RegisterActivityType(ctx, &swf.RegisterActivityTypeInput{Domain: aws.String(domain), Name: aws.String(name), Version: aws.String(version)})
	must(t, err)
}

func registerWorkflow(t *testing.T, c *swf.Client, domain, name, version string) {
	t.Helper()
	_, err := c.RegisterWorkflowType(ctx, &swf.RegisterWorkflowTypeInput{Domain: aws.String(domain), Name: aws.String(name), Version: aws.String(version)})
	must(t, err)
}

func domainNames(infos []types.DomainInfo) []string {
	var out []string
	for _, d := range infos {
		out = append(out, aws.ToString(d.Name))
	}
	return out
}
