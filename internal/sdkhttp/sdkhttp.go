// Package sdkhttp is what an AWS SDK for Go v2 client needs of net/http to
// read openswf's large answers reliably: the load tool and the tests use it.
package sdkhttp

import (
	"bytes"
	"io"
	"net/http"
)

// OwnBodies returns a RoundTripper that hands next each request with a body
// of its own, read into memory (the caller's request is not changed).
//
// The SDK (smithy-go) closes a request's body as soon as the response's
// headers are in, but net/http may not be done with it then: for a body
// not known to be in memory it flushes the headers first and copies the
// body straight to the socket, so the server can answer before net/http's
// write loop has made its last read of the body, the one that checks
// nothing follows Content-Length. That read goes through the SDK body's
// WriteTo, which answers io.EOF, as an error, once the body is closed; the
// write loop then takes the request's write as failed and closes the
// connection under the response being read, and the caller gets "use of
// closed network connection" in the middle of a large answer (a history
// page) that the server sent whole (aws/aws-sdk-go-v2#2737). An in-memory
// body (bytes.Reader) is sent with the headers in one write and is the
// transport's alone. SWF requests are at most 1 MiB; the copy is cheap.
func OwnBodies(next http.RoundTripper) http.RoundTripper {
	return RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Body == nil || r.Body == http.NoBody {
			return next.RoundTrip(r)
		}
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.WithContext(r.Context()) // a shallow copy
		r.Body = io.NopCloser(bytes.NewReader(b))
		return next.RoundTrip(r)
	})
}

// RoundTripFunc is a function as an http.RoundTripper.
type RoundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f RoundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
