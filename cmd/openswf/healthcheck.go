package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/metrics"
)

// exitError carries the exit status a command asks for, when 2 (what main
// gives every other error) would be wrong.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode is the process's exit status for what run returned.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 2
}

// healthPath is the liveness route the server answers, outside
// authentication.
const healthPath = metrics.PathHealthz

// runHealthcheck is `openswf healthcheck [--url URL] [--timeout D]`: one GET,
// exit 0 on a 2xx answer and 1 on anything else. It exists because the
// container image has no shell, curl or wget to probe with; and it exits
// 1, never 2, on every failure (a bad flag included), because Docker
// reserves a health check's exit status 2.
func runHealthcheck(args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "", "URL to GET (default: "+healthPath+" on the address $"+settingEnv("listen")+" names, reached over loopback)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return &exitError{1, err}
	}
	if fs.NArg() > 0 {
		return &exitError{1, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// A probe of this host must not wander through a proxy the
	// environment names for outbound traffic.
	transport.Proxy = nil
	transport.DisableKeepAlives = true
	url := *target
	if url == "" {
		var tlsOn bool
		url, tlsOn = localHealthURL(getenv)
		if tlsOn {
			// The certificate names the server's public name, not the
			// loopback address this probe dials, so it cannot verify;
			// the probe sends nothing secret and only reads a status
			// from its own machine.
			transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		}
	}
	client := &http.Client{Transport: transport, Timeout: *timeout}
	resp, err := client.Get(url)
	if err != nil {
		return &exitError{1, fmt.Errorf("unhealthy: %w", err)}
	}
	defer resp.Body.Close()
	// The answer's first bytes say why when it is not healthy; Docker keeps
	// the probe's output for `docker inspect`.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &exitError{1, fmt.Errorf("unhealthy: %s answered %s: %s", url, resp.Status, strings.TrimSpace(string(body)))}
	}
	fmt.Fprintf(stdout, "healthy: %s answered %s\n", url, resp.Status)
	return nil
}

// localHealthURL is the health URL of a server started with this
// environment: the address of $OPENSWF_LISTEN (or the default one), with a
// wildcard host replaced by loopback, over HTTPS when a certificate is set.
// A --listen flag on the serve command line is not visible here, which is
// why the container image sets its address in the environment.
func localHealthURL(getenv func(string) string) (url string, tlsOn bool) {
	addr := defaultConfig().Listen
	if v := getenv(settingEnv("listen")); v != "" {
		addr = v
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		// Left as it is: the GET will fail and say why.
		host, port = addr, ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	scheme := "http"
	if getenv(settingEnv("tls-cert")) != "" {
		scheme, tlsOn = "https", true
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host + healthPath, tlsOn
}

// settingEnv is the environment variable of the serve setting whose flag is
// name, so that the name stays declared once, in settings().
func settingEnv(name string) string {
	for _, s := range settings() {
		if s.flag == name {
			return s.env
		}
	}
	panic("no setting " + name)
}
