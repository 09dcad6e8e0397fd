package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/openswf/openswf/internal/sigv4"
)

// bodyEcho is an API that answers with the body it was handed, so a test
// sees what reached it.
var bodyEcho = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if PrincipalFrom(r.Context()) == nil {
		http.Error(w, "no principal", 500)
		return
	}
	io.Copy(w, r.Body)
})

func authenticator(k *Keyring) *Authenticator {
	return &Authenticator{Keys: k, Verifier: sigv4.NewVerifier("us-east-1", "swf"), Now: func() time.Time { return t0 }}
}

// Bodies come from a pool: requests served at once each reach the API with
// their own body, whole, and none sees another's.
func TestPooledBodiesConcurrent(t *testing.T) {
	h := authenticator(testKeyring(t)).Middleware(bodyEcho)
	type signedReq struct {
		req  *http.Request
		body string
	}
	var reqs []signedReq
	for i := range 16 {
		// Sizes either side of the pooled buffers' first size, and one
		// over the largest buffer kept.
		body := fmt.Sprintf(`{"taskToken":"%d","details":"%s"}`, i, strings.Repeat(string(rune('a'+i)), i*97))
		if i == 15 {
			body = `{"details":"` + strings.Repeat("z", maxPooledBody+1) + `"}`
		}
		reqs = append(reqs, signedReq{signed(t, "admin-secret", body), body})
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for n := range 200 {
				s := reqs[(g*7+n)%len(reqs)]
				r := s.req.Clone(context.Background())
				r.Body = io.NopCloser(strings.NewReader(s.body))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if rec.Code != 200 || rec.Body.String() != s.body {
					t.Errorf("%d: %d, body of %d bytes, want %d", n, rec.Code, rec.Body.Len(), len(s.body))
					return
				}
			}
		})
	}
	wg.Wait()
}

// readAll reads as io.ReadAll does, whatever size the request declares,
// and passes on the error of a body over the limit.
func TestReadAll(t *testing.T) {
	body := strings.Repeat("0123456789", 300)
	for _, size := range []int64{-1, 0, 10, int64(len(body)) - 1, int64(len(body)), int64(len(body)) + 1, 1 << 40} {
		for _, r := range []io.Reader{strings.NewReader(body), iotest.OneByteReader(strings.NewReader(body)), iotest.HalfReader(strings.NewReader(body))} {
			got, err := readAll(nil, r, size)
			if err != nil || string(got) != body {
				t.Fatalf("size %d: %d bytes, %v", size, len(got), err)
			}
		}
		got, err := readAll(make([]byte, 7, 9), strings.NewReader(""), size)
		if err != nil || len(got) != 0 {
			t.Fatalf("size %d: empty body read as %q, %v", size, got, err)
		}
	}
	rec := httptest.NewRecorder()
	_, err := readAll(nil, http.MaxBytesReader(rec, io.NopCloser(strings.NewReader(body)), 100), int64(len(body)))
	var tooBig *http.MaxBytesError
	if !errors.As(err, &tooBig) || tooBig.Limit != 100 {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := readAll(nil, iotest.ErrReader(io.ErrUnexpectedEOF), 5); err != io.ErrUnexpectedEOF {
		t.Fatalf("read error: %v", err)
	}
}

// A secret changed in the principals file and reloaded (as on SIGHUP)
// takes effect at once: requests signed with the old secret are refused,
// even though the old secret's signing key was cached moments before.
func TestReloadRotatesSecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), "principals.json")
	write := func(secret string) {
		doc := `{"principals": [{"name": "admin", "accessKeyId": "AKIDTESTADMIN00001", "secretAccessKey": "` +
			secret + `", "policies": [` + allowAll + `]}]}`
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("admin-secret")
	k, err := OpenKeyring(path, "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	h := authenticator(k).Middleware(bodyEcho)
	serve := func(secret string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, signed(t, secret, heartbeatBody))
		return rec.Code
	}
	if code := serve("admin-secret"); code != 200 {
		t.Fatalf("before the rotation: %d", code)
	}
	write("rotated-secret")
	if err := k.Reload(); err != nil {
		t.Fatal(err)
	}
	if code := serve("admin-secret"); code != 400 {
		t.Fatalf("old secret after the rotation: %d", code)
	}
	if code := serve("rotated-secret"); code != 200 {
		t.Fatalf("new secret after the rotation: %d", code)
	}
}

// The authentication middleware itself allocates little for a heartbeat:
// the request and context that carry the principal, nothing for the body.
func TestMiddlewareAllocations(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation count")
	}
	nop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	h := authenticator(testKeyring(t)).Middleware(nop)
	req := signed(t, "admin-secret", heartbeatBody)
	raw := []byte(heartbeatBody)
	rd := bytes.NewReader(raw)
	body := io.NopCloser(rd)
	w := httptest.NewRecorder()
	serve := func() {
		rd.Reset(raw)
		req.Body = body
		h.ServeHTTP(w, req)
	}
	serve()
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if n := testing.AllocsPerRun(100, serve); n > 2 {
		t.Fatalf("middleware allocates %v times a request, want 2", n)
	}
}
