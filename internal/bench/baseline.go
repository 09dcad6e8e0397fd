package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/swf"
)

// baselineReply is the whole answer of the built-in handler: what an SWF
// server answers a heartbeat with.
const baselineReply = `{"cancelRequested":false}`

// runBaseline measures RecordActivityTaskHeartbeat, through the same client
// and with the same details as the heartbeat scenario, against a handler in
// this process that does nothing but answer. Whatever throughput it reaches
// is the most this machine and this client can ask of any server, so a
// server's result is best read as a fraction of it.
func runBaseline(ctx context.Context, cfg Config) (Result, error) {
	h, err := startBaselineHandler()
	if err != nil {
		return Result{}, err
	}
	defer h.close()
	client, _ := newClient(cfg, h.url, cfg.Concurrency)
	details := aws.String(strings.Repeat("h", cfg.DetailsSize))
	token := aws.String(strings.Repeat("t", 200)) // about the size of an openswf task token
	return measure(ctx, cfg, "requests", func(ctx context.Context, rec *recorder, due time.Time) {
		t0 := time.Now()
		_, err := client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{TaskToken: token, Details: details})
		if err != nil {
			rec.fail(opHeartbeat, err)
			return
		}
		end := time.Now()
		rec.ok(opHeartbeat, end.Sub(t0))
		rec.done(end.Sub(due))
	})
}

// baselineHandler is the trivial HTTP server of the baseline.
type baselineHandler struct {
	url    string
	srv    *http.Server
	served chan error
}

// startBaselineHandler serves the canned reply on a free loopback port.
func startBaselineHandler() (*baselineHandler, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("baseline listener: %w", err)
	}
	srv := &http.Server{
		Handler:           http.HandlerFunc(serveBaseline),
		ReadHeaderTimeout: 10 * time.Second,
	}
	h := &baselineHandler{url: "http://" + ln.Addr().String(), srv: srv, served: make(chan error, 1)}
	go func() { h.served <- srv.Serve(ln) }()
	return h, nil
}

// serveBaseline reads the request, as a real server must before answering,
// and answers as an AWS JSON 1.0 service does.
func serveBaseline(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-RequestId", "openswf-bench-baseline")
	w.Header().Set("Content-Length", strconv.Itoa(len(baselineReply)))
	_, _ = io.WriteString(w, baselineReply)
}

// close stops the handler; every request of the run has been answered by
// then, so it closes at once.
func (h *baselineHandler) close() {
	_ = h.srv.Close()
	<-h.served // always http.ErrServerClosed after Close
}
