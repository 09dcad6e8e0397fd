package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
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
//
// With Config.BaselineCommand the handler runs in a process of its own, as
// a server does, and the result reports its CPU per request: the cost of
// the least any Go HTTP server can do for this request on this machine,
// beside which a server's CPU per operation is best read.
func runBaseline(ctx context.Context, cfg Config) (Result, error) {
	url := ""
	cfg.ServerPIDs = nil // the server's CPU means nothing here
	if len(cfg.BaselineCommand) > 0 {
		p, err := startBaselineProcess(ctx, cfg.BaselineCommand)
		if err != nil {
			return Result{}, err
		}
		defer p.close()
		url, cfg.ServerPIDs = p.url, []int{p.cmd.Process.Pid}
	} else {
		h, err := startBaselineHandler()
		if err != nil {
			return Result{}, err
		}
		defer h.close()
		url = h.url
	}
	client, _ := newClient(cfg, url, cfg.Concurrency)
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
	srv := newBaselineServer()
	h := &baselineHandler{url: "http://" + ln.Addr().String(), srv: srv, served: make(chan error, 1)}
	go func() { h.served <- srv.Serve(ln) }()
	return h, nil
}

// newBaselineServer is the baseline's HTTP server, in this process or its
// own.
func newBaselineServer() *http.Server {
	return &http.Server{
		Handler:           http.HandlerFunc(serveBaseline),
		ReadHeaderTimeout: 10 * time.Second,
	}
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

// ServeBaselineProcess is the baseline's handler as a process of its own
// (Config.BaselineCommand runs a command that calls it): it serves on a
// free loopback port, writes the port's URL as the first line of out, and
// stops when in ends (the bench closes it, or exits).
func ServeBaselineProcess(in io.Reader, out io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("baseline listener: %w", err)
	}
	srv := newBaselineServer()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if _, err := fmt.Fprintf(out, "http://%s\n", ln.Addr()); err != nil {
		_ = srv.Close()
		return err
	}
	_, _ = io.Copy(io.Discard, in)
	_ = srv.Close()
	<-served
	return nil
}

// baselineProcess is a running ServeBaselineProcess.
type baselineProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	url   string
}

// startBaselineProcess runs command and reads the handler's URL from it.
func startBaselineProcess(ctx context.Context, command []string) (*baselineProcess, error) {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the baseline handler: %w", err)
	}
	p := &baselineProcess{cmd: cmd, stdin: stdin}
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- strings.TrimSpace(l)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case p.url = <-line:
	case <-ctx.Done():
	case <-time.After(30 * time.Second):
	}
	if !strings.HasPrefix(p.url, "http://") {
		p.close()
		return nil, fmt.Errorf("the baseline handler %v did not say where it listens", command)
	}
	return p, nil
}

// close ends the process: its input ends, and it stops serving.
func (p *baselineProcess) close() {
	_ = p.stdin.Close()
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}
