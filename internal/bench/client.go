package bench

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"

	"github.com/openswf/openswf/internal/sdkhttp"
)

// newClient returns an SWF client of endpoint that signs with static
// credentials and never retries, so that every failure is counted as the
// server sent it. conns is how many requests may be in flight at once: the
// transport keeps that many idle connections per host, because Go's default
// of two would make every other caller open (and later close) a connection
// of its own, and the run would measure TCP handshakes.
func newClient(cfg Config, endpoint string, conns int) (*swf.Client, *http.Client) {
	transport := &http.Transport{
		Proxy:                 nil, // a benchmark measures the endpoint, not a proxy
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          conns + 16,
		MaxIdleConnsPerHost:   conns + 16,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     false,
	}
	var send http.RoundTripper = transport
	// Several endpoints (the nodes of one cluster): requests take turns
	// among them, as behind a round-robin load balancer. The Host header
	// stays the first endpoint's, which the signature covers; every node
	// answers whatever host it is called by.
	endpoints := strings.Split(endpoint, ",")
	endpoint = endpoints[0]
	if len(endpoints) > 1 {
		var hosts []string
		for _, e := range endpoints {
			if u, err := url.Parse(strings.TrimSpace(e)); err == nil && u.Host != "" {
				hosts = append(hosts, u.Host)
			}
		}
		var turn atomic.Uint64
		send = sdkhttp.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			r = r.Clone(r.Context())
			r.Host = r.URL.Host
			r.URL.Host = hosts[turn.Add(1)%uint64(len(hosts))]
			return transport.RoundTrip(r)
		})
	}
	// No client timeout: long polls hold a request for up to a minute, and
	// every call carries a context that ends it instead. The transport
	// gets request bodies of its own (see sdkhttp.OwnBodies).
	httpClient := &http.Client{Transport: sdkhttp.OwnBodies(send)}
	awsCfg := aws.Config{
		Region:      cfg.Region,
		Credentials: credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		HTTPClient:  httpClient,
	}
	client := swf.NewFromConfig(awsCfg, func(o *swf.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.Retryer = aws.NopRetryer{}
	})
	return client, httpClient
}
