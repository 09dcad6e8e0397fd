package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/openswf/openswf/internal/awsjson"
	"github.com/openswf/openswf/internal/policy"
	"github.com/openswf/openswf/internal/server"
	"github.com/openswf/openswf/internal/sigv4"
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/throttle"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func testKeyring(t testing.TB) *Keyring {
	t.Helper()
	set, err := ParsePrincipals([]byte(`{"principals": [
		{"name": "admin", "accessKeyId": "AKIDTESTADMIN00001", "secretAccessKey": "admin-secret", "policies": [`+allowAll+`]}]}`), "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	k := &Keyring{}
	k.current.Store(set)
	return k
}

// heartbeatAPI answers heartbeats, as cheaply as can be.
type heartbeatAPI struct{ swfapi.Unimplemented }

func (heartbeatAPI) RecordActivityTaskHeartbeat(context.Context, *swfapi.RecordActivityTaskHeartbeatInput) (*swfapi.ActivityTaskStatus, error) {
	return &swfapi.ActivityTaskStatus{CancelRequested: swfapi.Ptr(false)}, nil
}

// stack is the HTTP stack of a server with authentication: the common
// middleware, SigV4, the authorizer and (when throttled) the throttle, in
// front of api.
func stack(t testing.TB, api swfapi.API, authenticate bool, throttled bool) http.Handler {
	a := &Authorizer{Scope: scope(), TokenDomain: func(string) (string, bool) { return "orders", true }}
	interceptors := []swfapi.Interceptor{a.Interceptor}
	if throttled {
		s := throttle.Defaults()
		s.APIs["RecordActivityTaskHeartbeat"] = throttle.Quota{Burst: 1 << 30, Rate: 1 << 30}
		interceptors = append(interceptors, throttle.New(s, nil).Interceptor(func(context.Context) string { return "123456789012" }))
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := &awsjson.Handler{Invoke: swfapi.Chain(api, interceptors...), Logger: logger, RequestID: server.RequestID}
	mws := []server.Middleware{server.RequestIDs, server.RecoverPanics(logger), server.LimitBody(4096)}
	if authenticate {
		au := &Authenticator{Keys: testKeyring(t), Verifier: sigv4.NewVerifier("us-east-1", "swf"), Now: func() time.Time { return t0 }}
		mws = append(mws, au.Middleware)
	} else {
		mws = append(mws, Anonymous(Local("123456789012")))
	}
	return server.Wrap(h, mws...)
}

func scope() policy.Scope { return policy.Scope{Region: "us-east-1", Account: "123456789012"} }

const heartbeatBody = `{"taskToken":"token","details":"half way"}`

// signed returns a heartbeat request signed by the SDK's signer with secret.
func signed(t testing.TB, secret, body string) *http.Request {
	t.Helper()
	req := httptest.NewRequest("POST", "http://127.0.0.1:7930/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService.RecordActivityTaskHeartbeat")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIDTESTADMIN00001", SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "swf", "us-east-1", t0); err != nil {
		t.Fatal(err)
	}
	return req
}

func errorOf(t testing.TB, rec *httptest.ResponseRecorder) (int, string) {
	t.Helper()
	var e struct {
		Type string `json:"__type"`
	}
	if rec.Code != 200 {
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
			t.Fatalf("error body %q: %v", rec.Body, err)
		}
	}
	return rec.Code, e.Type
}

func TestAuthenticate(t *testing.T) {
	h := stack(t, heartbeatAPI{}, true, false)
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		typ    string
	}{
		{"good signature", signed(t, "admin-secret", heartbeatBody), 200, ""},
		{"wrong secret", signed(t, "other-secret", heartbeatBody), 400, "com.amazon.coral.service#InvalidSignatureException"},
		{"unsigned", httptest.NewRequest("POST", "/", strings.NewReader(heartbeatBody)), 400, "com.amazon.coral.service#MissingAuthenticationTokenException"},
		{"body over the limit, checked before the signature", signed(t, "admin-secret", `{"details":"`+strings.Repeat("x", 5000)+`"}`), 400, "com.amazon.coral.validate#ValidationException"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, tc.req)
		if status, typ := errorOf(t, rec); status != tc.status || typ != tc.typ {
			t.Errorf("%s: %d %s: %s", tc.name, status, typ, rec.Body)
		}
		if rec.Header().Get("x-amzn-RequestId") == "" {
			t.Errorf("%s: no request id", tc.name)
		}
	}
	// The body the signature covered reaches the API whole.
	changed := signed(t, "admin-secret", heartbeatBody)
	changed.Body = io.NopCloser(strings.NewReader(strings.Replace(heartbeatBody, "half", "full", 1)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, changed)
	if _, typ := errorOf(t, rec); typ != "com.amazon.coral.service#InvalidSignatureException" {
		t.Fatalf("a body changed after signing: %s", rec.Body)
	}
}

// No header or body reaches a panic or a 500, and every refusal is an
// AWS JSON error.
func FuzzAuthenticate(f *testing.F) {
	good := signed(f, "admin-secret", heartbeatBody)
	f.Add(good.Header.Get("Authorization"), good.Header.Get("X-Amz-Date"), "", heartbeatBody)
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDTESTADMIN00001/20261201/us-east-1/swf/aws4_request, SignedHeaders=host, Signature=00", "20261201T100000Z", "tok", "{}")
	f.Add("", "", "", "")
	h := stack(f, heartbeatAPI{}, true, true)
	f.Fuzz(func(t *testing.T, authz, date, token, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "SimpleWorkflowService.RecordActivityTaskHeartbeat")
		for k, v := range map[string]string{"Authorization": authz, "X-Amz-Date": date, "X-Amz-Security-Token": token} {
			if v != "" {
				req.Header[k] = []string{v}
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if rec.Code != 200 {
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Type == "" {
				t.Fatalf("error body %q", rec.Body)
			}
		}
	})
}

// BenchmarkHeartbeatStack measures what a heartbeat costs in the HTTP
// stack without the service: the common middleware, the protocol, and
// with auth on, the signature check, the authorizer and the throttle.
func BenchmarkHeartbeatStack(b *testing.B) {
	for _, mode := range []struct {
		name             string
		auth, throttling bool
	}{{"auth=none", false, false}, {"auth=sigv4", true, false}, {"auth=sigv4+throttle", true, true}} {
		b.Run(mode.name, func(b *testing.B) {
			h := stack(b, heartbeatAPI{}, mode.auth, mode.throttling)
			req := signed(b, "admin-secret", heartbeatBody)
			b.ReportAllocs()
			for b.Loop() {
				r := req.Clone(context.Background())
				r.Body = io.NopCloser(strings.NewReader(heartbeatBody))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
