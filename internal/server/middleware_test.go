package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/awsjson"
	"github.com/openswf/openswf/internal/swfapi"
)

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func errorType(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Type string `json:"__type"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e.Type
}

// A body announced as larger than the limit is refused before it is read.
func TestLimitBodyRefusesBeforeReading(t *testing.T) {
	reached := false
	h := LimitBody(4096)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	req := httptest.NewRequest("POST", "/", readerFunc(func([]byte) (int, error) {
		t.Fatal("the body was read")
		return 0, io.EOF
	}))
	req.ContentLength = 1 << 30
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if reached || rec.Code != 400 || !strings.Contains(rec.Body.String(), "maximum request size") {
		t.Fatalf("got %d %s (handler reached: %v)", rec.Code, rec.Body.String(), reached)
	}
	if got := errorType(t, rec.Body.Bytes()); got != "com.amazon.coral.validate#ValidationException" {
		t.Fatalf("__type %q", got)
	}
}

// A body of unknown length is cut at the limit, and the protocol handler
// answers with the same fault.
func TestLimitBodyChunked(t *testing.T) {
	api := &awsjson.Handler{Invoke: swfapi.Chain(swfapi.Unimplemented{}), Logger: discard}
	h := LimitBody(100)(api)
	req := httptest.NewRequest("POST", "/", io.MultiReader(strings.NewReader(`{"name":"`), strings.NewReader(strings.Repeat("x", 500)+`"}`)))
	req.ContentLength = -1
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService.DescribeDomain")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "maximum request size of 100 bytes") {
		t.Fatalf("got %d %s", rec.Code, rec.Body.String())
	}
}

func TestRequestIDsAndPanics(t *testing.T) {
	h := Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), RequestIDs, RecoverPanics(discard))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	id := rec.Header().Get("x-amzn-RequestId")
	if rec.Code != 500 || len(id) != 36 || !strings.Contains(rec.Body.String(), id) || strings.Contains(rec.Body.String(), "boom") {
		t.Fatalf("got %d %q %s", rec.Code, id, rec.Body.String())
	}
}

// Wrap puts the first middleware outermost.
func TestWrapOrder(t *testing.T) {
	var order []string
	mw := func(name string) Middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { order = append(order, "h") }), mw("a"), mw("b")).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if strings.Join(order, ",") != "a,b,h" {
		t.Fatalf("order %v", order)
	}
}

// A client that sends its headers and then trickles its body is cut off at
// the body deadline instead of holding a connection and a goroutine.
func TestDeadlinesCutSlowBodies(t *testing.T) {
	api := &awsjson.Handler{Invoke: swfapi.Chain(swfapi.Unimplemented{}), Logger: discard}
	srv, err := New(Config{Listen: "127.0.0.1:0", Middleware: []Middleware{Deadlines(200*time.Millisecond, time.Second, time.Second), LimitBody(0)}}, api, discard)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Shutdown(context.Background())
	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: SimpleWorkflowService.DescribeDomain\r\nContent-Length: 1000\r\n\r\n{")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, _ := io.ReadAll(conn)
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Fatalf("the connection was held %v", elapsed)
	}
	if bytes.Contains(got, []byte(" 200 ")) {
		t.Fatalf("a truncated body was answered: %s", got)
	}
}

// The body deadline ends with the body: a long poll that has read its
// request and waits for a task keeps its context past the deadline (an
// expired read deadline would make the server think the client is gone).
func TestDeadlinesSpareLongPolls(t *testing.T) {
	waited := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
			waited <- r.Context().Err()
		case <-time.After(600 * time.Millisecond):
			waited <- nil
		}
		w.WriteHeader(200)
	})
	srv, err := New(Config{Listen: "127.0.0.1:0", Middleware: []Middleware{Deadlines(200*time.Millisecond, time.Second, 5*time.Second)}}, h, discard)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Shutdown(context.Background())
	req, _ := http.NewRequest("POST", "http://"+srv.Addr()+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService.PollForActivityTask")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := <-waited; err != nil || resp.StatusCode != 200 {
		t.Fatalf("the poll's context ended: %v (status %d)", err, resp.StatusCode)
	}
}

// Extra routes are served beside the API, which answers every other path,
// and the middleware wraps both.
func TestRoutes(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api") })
	health := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "healthy") })
	srv, err := New(Config{Listen: "127.0.0.1:0", Middleware: []Middleware{RequestIDs}, Routes: []Route{{Pattern: "GET /healthz", Handler: health}}}, api, discard)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Shutdown(context.Background())
	for path, want := range map[string]string{"/healthz": "healthy", "/": "api", "/other": "api"} {
		resp, err := http.Get(srv.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != want || resp.Header.Get("x-amzn-RequestId") == "" {
			t.Errorf("%s: %q", path, body)
		}
	}
}
