package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The key, region and time most tests sign with.
const (
	testKeyID  = "AKIDOPENSWFTEST"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYOPENSWFKEY"
	testRegion = "us-east-1"
	testToken  = "FwoGZXIvYXdzEBYaDOPENSWF//session+token=="
)

// t0 is the time requests are signed at; "now" in a test is t0 unless it
// says otherwise.
var t0 = time.Date(2026, 12, 1, 10, 20, 0, 0, time.UTC)

func heartbeatBody() string {
	return `{"taskToken":"` + strings.Repeat("AAAAAQ0gT3BlblNXRiB0YXNrIHRva2VuLg", 12) + `","details":"42% done"}`
}

// newSWFRequest is a request shaped as the SWF SDK sends one.
func newSWFRequest(t testing.TB, url, target, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService."+target)
	req.Header.Set("Amz-Sdk-Invocation-Id", "5b4d8bd2-3bd7-4b1e-8f2c-2f4e3b0f6a11")
	req.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	req.Header.Set("User-Agent", "aws-sdk-go-v2/1.48.0 api/swf#1.33.20")
	return req
}

// sdkSign signs req with aws-sdk-go-v2's signer, as the SDK's clients do.
func sdkSign(t testing.TB, req *http.Request, body string, creds aws.Credentials, service, region string, at time.Time) {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, at); err != nil {
		t.Fatal(err)
	}
}

func testCreds() aws.Credentials {
	return aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
}

// lookupOf answers for testKeyID with cred, and knows no other key.
func lookupOf(cred Credential) func(string) (Credential, bool) {
	return func(id string) (Credential, bool) {
		if id == testKeyID {
			return cred, true
		}
		return Credential{}, false
	}
}

var plainLookup = lookupOf(Credential{SecretAccessKey: testSecret})

// wire sends requests through a real HTTP server, so that Verify sees what
// Go's server makes of them: Host moved out of the header map, header names
// canonicalized, the body read from the connection.
type wire struct {
	srv    *httptest.Server
	handle func(r *http.Request, body []byte)
}

func newWire(t testing.TB) *wire {
	w := &wire{}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		w.handle(r, body)
		rw.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(rw, `{}`)
	}))
	t.Cleanup(w.srv.Close)
	return w
}

// verify sends req and returns what v says of it on the server side at now.
func (w *wire) verify(t testing.TB, v *Verifier, req *http.Request, now time.Time, lookup func(string) (Credential, bool)) (string, error) {
	t.Helper()
	var id string
	var err error
	w.handle = func(r *http.Request, body []byte) { id, err = v.Verify(r, body, now, lookup) }
	resp, rerr := w.srv.Client().Do(req)
	if rerr != nil {
		t.Fatal(rerr)
	}
	resp.Body.Close()
	return id, err
}

// setBody replaces the body req will send.
func setBody(req *http.Request, body string) {
	req.Body = io.NopCloser(bytes.NewReader([]byte(body)))
	req.ContentLength = int64(len(body))
	req.GetBody = nil
}

// wantOK fails t unless Verify accepted the request as testKeyID.
func wantOK(t testing.TB, id string, err error) {
	t.Helper()
	if err != nil || id != testKeyID {
		t.Fatalf("Verify = %q, %v; want %q, nil", id, err, testKeyID)
	}
}

// wantErr fails t unless err is an *Error with code and message.
func wantErr(t testing.TB, id string, err error, code, message string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Verify = %q, %v; want %s", id, err, code)
	}
	if id != "" {
		t.Errorf("Verify returned key %q with an error", id)
	}
	if e.Code != code || e.Message != message {
		t.Fatalf("Verify error\n got %s: %q\nwant %s: %q", e.Code, e.Message, code, message)
	}
}
