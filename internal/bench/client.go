package bench

import (
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/swf"
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
	// No client timeout: long polls hold a request for up to a minute, and
	// every call carries a context that ends it instead.
	httpClient := &http.Client{Transport: transport}
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
