package awsjson

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// testAPI answers a few operations; the rest are unimplemented.
type testAPI struct {
	swfapi.Unimplemented
}

func (testAPI) RegisterDomain(context.Context, *swfapi.RegisterDomainInput) error { return nil }

func (testAPI) DescribeDomain(_ context.Context, in *swfapi.DescribeDomainInput) (*swfapi.DomainDetail, error) {
	switch *in.Name {
	case "boom":
		return nil, errors.New("disk on fire at /var/secret")
	case "missing":
		return nil, swfapi.NewFault(swfapi.CodeUnknownResource, "Unknown domain: missing")
	}
	return &swfapi.DomainDetail{
		DomainInfo:    &swfapi.DomainInfo{Name: in.Name, Status: swfapi.Ptr(swfapi.RegistrationStatusRegistered)},
		Configuration: &swfapi.DomainConfiguration{WorkflowExecutionRetentionPeriodInDays: swfapi.Ptr("1")},
	}, nil
}

func (testAPI) ListActivityTypes(context.Context, *swfapi.ListActivityTypesInput) (*swfapi.ActivityTypeInfos, error) {
	return &swfapi.ActivityTypeInfos{TypeInfos: []swfapi.ActivityTypeInfo{{
		ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr("a"), Version: swfapi.Ptr("1")},
		Status:       swfapi.Ptr(swfapi.RegistrationStatusRegistered),
		CreationDate: swfapi.NewTimestamp(time.Unix(1487851963, 534e6)),
	}}}, nil
}

// newHandler returns the protocol handler of testAPI, its bodies limited to
// 4 KiB as server.LimitBody limits them in a real server.
func newHandler() http.Handler {
	h := &Handler{
		Invoke:    swfapi.Chain(testAPI{}),
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		RequestID: func(*http.Request) string { return "req-1" },
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		h.ServeHTTP(w, r)
	})
}

type response struct {
	status int
	header http.Header
	body   string
}

func call(h http.Handler, method, target, body string) response {
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	req.Header.Set("Content-Type", ContentType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.String()}
}

func TestProtocol(t *testing.T) {
	h := newHandler()
	tests := []struct {
		name, method, target, body string
		status                     int
		errType                    string // the __type, empty for success
		msg                        string // part of the message or body
	}{
		{"void operation has an empty body", "POST", "SimpleWorkflowService.RegisterDomain", `{"name":"d","workflowExecutionRetentionPeriodInDays":"1"}`, 200, "", ""},
		{"output", "POST", "SimpleWorkflowService.DescribeDomain", `{"name":"d"}`, 200, "", `{"domainInfo":{"name":"d","status":"REGISTERED"},"configuration":{"workflowExecutionRetentionPeriodInDays":"1"}}`},
		{"timestamps are numbers", "POST", "SimpleWorkflowService.ListActivityTypes", `{"domain":"d","registrationStatus":"REGISTERED"}`, 200, "", `"creationDate":1487851963.534`},
		{"unknown operation", "POST", "SimpleWorkflowService.Frobnicate", `{}`, 400, "com.amazon.coral.service#UnknownOperationException", "Frobnicate"},
		{"other service", "POST", "AmazonStatesService.ListActivities", `{}`, 400, "com.amazon.coral.service#UnknownOperationException", ""},
		{"no target", "POST", "", `{}`, 400, "com.amazon.coral.service#UnknownOperationException", ""},
		{"GET", "GET", "SimpleWorkflowService.ListDomains", ``, 400, "com.amazon.coral.service#UnknownOperationException", ""},
		{"not JSON", "POST", "SimpleWorkflowService.DescribeDomain", `{"name":`, 400, "com.amazon.coral.service#SerializationException", ""},
		{"not an object", "POST", "SimpleWorkflowService.DescribeDomain", `["name"]`, 400, "com.amazon.coral.service#SerializationException", ""},
		{"wrong member type", "POST", "SimpleWorkflowService.DescribeDomain", `{"name":5}`, 400, "com.amazon.coral.service#SerializationException", "name"},
		{"timestamp as string", "POST", "SimpleWorkflowService.CountOpenWorkflowExecutions", `{"domain":"d","startTimeFilter":{"oldestDate":"yesterday"}}`, 400, "com.amazon.coral.service#SerializationException", ""},
		{"empty body validates as empty input", "POST", "SimpleWorkflowService.DescribeDomain", ``, 400, "com.amazon.coral.validate#ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"},
		{"several problems", "POST", "SimpleWorkflowService.ListActivityTypes", `{"domain":"","maximumPageSize":1001}`, 400, "com.amazon.coral.validate#ValidationException", "3 validation errors detected: Value '' at 'domain' failed to satisfy constraint: Member must have length greater than or equal to 1; Value null at 'registrationStatus' failed to satisfy constraint: Member must not be null; Value '1001' at 'maximumPageSize' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"fault", "POST", "SimpleWorkflowService.DescribeDomain", `{"name":"missing"}`, 400, "com.amazonaws.swf.base.model#UnknownResourceFault", "Unknown domain: missing"},
		{"internal error reveals nothing", "POST", "SimpleWorkflowService.DescribeDomain", `{"name":"boom"}`, 500, "com.amazon.coral.service#InternalFailure", "req-1"},
		{"not yet implemented", "POST", "SimpleWorkflowService.StartWorkflowExecution", `{"domain":"d","workflowId":"w","workflowType":{"name":"n","version":"v"}}`, 400, "com.amazon.coral.service#NotImplemented", "StartWorkflowExecution"},
		{"too large", "POST", "SimpleWorkflowService.DescribeDomain", `{"name":"` + strings.Repeat("x", 5000) + `"}`, 400, "com.amazon.coral.validate#ValidationException", "maximum request size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(h, tc.method, tc.target, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tc.status, r.body)
			}
			if r.header.Get("x-amzn-RequestId") != "req-1" {
				t.Errorf("x-amzn-RequestId = %q", r.header.Get("x-amzn-RequestId"))
			}
			if r.header.Get("Content-Type") != ContentType {
				t.Errorf("Content-Type = %q", r.header.Get("Content-Type"))
			}
			if tc.errType == "" {
				if tc.msg == "" && r.body != "" {
					t.Errorf("body %q, want empty", r.body)
				}
				if !strings.Contains(r.body, tc.msg) {
					t.Errorf("body %s does not contain %s", r.body, tc.msg)
				}
				return
			}
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal([]byte(r.body), &e); err != nil {
				t.Fatalf("error body %q: %v", r.body, err)
			}
			if e.Type != tc.errType || r.header.Get("x-amzn-ErrorType") != tc.errType {
				t.Errorf("__type %q, header %q, want %q", e.Type, r.header.Get("x-amzn-ErrorType"), tc.errType)
			}
			if !strings.Contains(e.Message, tc.msg) {
				t.Errorf("message %q does not contain %q", e.Message, tc.msg)
			}
			if strings.Contains(e.Message, "secret") {
				t.Errorf("message leaks an internal error: %q", e.Message)
			}
		})
	}
}
