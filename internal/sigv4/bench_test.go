package sigv4

import (
	"net/http"
	"strconv"
	"testing"
)

// heartbeatRequest is a RecordActivityTaskHeartbeat request as Go's server
// hands it to a handler, signed by the SDK's signer.
func heartbeatRequest(tb testing.TB, token string) (*http.Request, []byte) {
	body := heartbeatBody()
	req := newSWFRequest(tb, "https://swf.us-east-1.amazonaws.com/", "RecordActivityTaskHeartbeat", body)
	creds := testCreds()
	creds.SessionToken = token
	sdkSign(tb, req, body, creds, "swf", testRegion, t0)
	// Go's server keeps Content-Length among the headers.
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return req, []byte(body)
}

func BenchmarkVerify(b *testing.B) {
	for _, c := range []struct {
		name  string
		token string
	}{
		{"heartbeat", ""},
		{"heartbeat with session token", testToken + longToken()},
	} {
		b.Run(c.name, func(b *testing.B) {
			req, body := heartbeatRequest(b, c.token)
			v := NewVerifier(testRegion, "swf")
			lookup := lookupOf(Credential{SecretAccessKey: testSecret, SessionToken: c.token})
			if _, err := v.Verify(req, body, t0, lookup); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := v.Verify(req, body, t0, lookup); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("heartbeat parallel", func(b *testing.B) {
		req, body := heartbeatRequest(b, "")
		v := NewVerifier(testRegion, "swf")
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := v.Verify(req, body, t0, plainLookup); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// longToken is as long as an STS session token usually is.
func longToken() string {
	b := make([]byte, 900)
	for i := range b {
		b[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i%64]
	}
	return string(b)
}

// The steady state, a known key on a cached day, allocates nothing.
func TestVerifyDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count")
	}
	req, body := heartbeatRequest(t, "")
	v := NewVerifier(testRegion, "swf")
	lookup := lookupOf(Credential{SecretAccessKey: testSecret})
	if _, err := v.Verify(req, body, t0, lookup); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if _, err := v.Verify(req, body, t0, lookup); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("Verify allocates %v times a request", n)
	}
}
