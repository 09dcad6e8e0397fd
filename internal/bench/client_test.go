package bench

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// sdkBody is a request body as the SDK (smithy-go's safeWriteToReadCloser)
// makes one: Read serves the bytes, and once the body is closed, which the
// SDK does as soon as the response's headers are in, WriteTo answers
// io.EOF. Its WriteTo waits for that close, to make certain the order the
// history benchmark met by chance a few times a run: net/http's write loop
// making its last read of the body (through WriteTo) after the SDK has
// closed it.
type sdkBody struct {
	r       *bytes.Reader
	mu      sync.Mutex
	closed  chan struct{}
	wroteTo chan struct{} // closed when WriteTo has answered
}

func newSDKBody(b []byte) *sdkBody {
	return &sdkBody{r: bytes.NewReader(b), closed: make(chan struct{}), wroteTo: make(chan struct{})}
}

func (b *sdkBody) Read(p []byte) (int, error) {
	select {
	case <-b.closed:
		return 0, io.EOF
	default:
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.r.Read(p)
}

func (b *sdkBody) WriteTo(w io.Writer) (int64, error) {
	defer close(b.wroteTo)
	select {
	case <-b.closed:
		return 0, io.EOF
	case <-time.After(5 * time.Second):
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.r.WriteTo(w)
	}
}

func (b *sdkBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.closed:
	default:
		close(b.closed)
	}
	return nil
}

// TestClientKeepsConnectionWhileBodyIsRead reads a large answer, sent in
// two parts, after closing the request's body as the SDK does once the
// headers are in. The load tool's transport must not close the connection
// under the answer: it once did, when its write loop found the closed body
// answering io.EOF, and the history benchmark counted "use of closed
// network connection" errors for pages the server had sent whole.
func TestClientKeepsConnectionWhileBodyIsRead(t *testing.T) {
	request := bytes.Repeat([]byte(`{"domain":"d"}`), 20)
	answer := bytes.Repeat([]byte("x"), 1<<20)
	for _, tc := range []struct{ name, endpoints string }{
		{"one endpoint", ""},
		{"several endpoints", ","},
	} {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, err := io.ReadAll(r.Body)
				if err != nil || !bytes.Equal(got, request) {
					t.Errorf("the server read %d bytes (%v), want the %d sent", len(got), err, len(request))
				}
				w.Header().Set("Content-Length", "1048576")
				w.Write(answer[:64<<10])
				w.(http.Flusher).Flush()
				select {
				case <-release:
				case <-time.After(5 * time.Second):
				}
				w.Write(answer[64<<10:])
			}))
			defer srv.Close()
			endpoint := srv.URL
			if tc.endpoints != "" {
				endpoint = srv.URL + tc.endpoints + srv.URL
			}
			_, hc := newClient(Config{}, endpoint, 1)

			body := newSDKBody(request)
			req, err := http.NewRequest(http.MethodPost, srv.URL, body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = int64(len(request))
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body.Close() // as smithy-go does, once Do has returned
			go func() {
				// The rest of the answer comes once the transport has
				// made its last read of the request's body, if it does.
				select {
				case <-body.wroteTo:
					time.Sleep(50 * time.Millisecond)
				case <-time.After(200 * time.Millisecond):
				}
				close(release)
			}()
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("reading the answer after %d of %d bytes: %v", len(got), len(answer), err)
			}
			if len(got) != len(answer) {
				t.Fatalf("read %d bytes, want %d", len(got), len(answer))
			}
		})
	}
}
