package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzAuthorization drives the Authorization-header parser and the whole of
// Verify with arbitrary headers, paths, queries and bodies. Whatever the
// input, nothing panics, a failure is an *Error with one of the package's
// codes and a message, and a success names the one key the lookup knows.
func FuzzAuthorization(f *testing.F) {
	c := handCases()
	for _, hc := range c {
		sig := refSign(suiteSecret, suiteScope, suiteStamp, hc.canonical)
		authz := "AWS4-HMAC-SHA256 Credential=" + suiteKeyID + "/" + suiteScope +
			", SignedHeaders=" + hc.signed + ", Signature=" + sig
		f.Add(authz, suiteStamp, "", hc.target, "", "", []byte(hc.body))
	}
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "+
		"SignedHeaders=content-length;host;my-header1;x-amz-date;x-multi, Signature=00", suiteStamp, "", "/", "my-header1;x-multi", "", []byte("{}"))
	f.Add("", "", "", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request"+
		"&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "", "", []byte(nil))
	f.Add("AWS4-HMAC-SHA256 FooBar, BazBurp", "", "Sun, 30 Aug 2015 12:36:00 GMT", "/", "", "tok", []byte("{}"))
	f.Add("AWS4-X Credential=a/b/c/d/e/f,SignedHeaders=;;;,Signature=zz", "99999999T999999Z", "", "/%zz?%zz", "", "", []byte{0})
	f.Add("Bearer x", "", "", "/", "", "", []byte(nil))

	// A get-vanilla seed verifies, so the fuzzer starts from the success
	// path as well as from every failure.
	v := NewVerifier("us-east-1", suiteService)
	lookup := func(id string) (Credential, bool) {
		return Credential{SecretAccessKey: suiteSecret, SessionToken: ""}, id == suiteKeyID
	}
	f.Fuzz(func(t *testing.T, authz, amzDate, date, target, extraHeader, token string, body []byte) {
		// The parser alone, on the header as given.
		r := &http.Request{Method: "POST", URL: &url.URL{Path: "/"}, Host: suiteHost, Header: http.Header{}}
		_, _ = parseHeader(authz, r)

		u, err := url.ParseRequestURI(target)
		if err != nil {
			u = &url.URL{Path: target, RawQuery: strings.TrimPrefix(target, "?")}
		}
		r = &http.Request{Method: "GET", URL: u, Host: suiteHost, Header: http.Header{}, ContentLength: int64(len(body))}
		set := func(k, v string) {
			if v != "" {
				r.Header[k] = []string{v}
			}
		}
		set("Authorization", authz)
		set("X-Amz-Date", amzDate)
		set("Date", date)
		set("X-Amz-Security-Token", token)
		// Headers named as the signed-headers list names them, so the
		// fuzzer reaches header canonicalization.
		for _, name := range strings.Split(extraHeader, ";") {
			if name != "" {
				r.Header.Add(name, extraHeader)
			}
		}
		id, err := v.Verify(r, body, suiteTime, lookup)
		if err == nil {
			if id != suiteKeyID {
				t.Fatalf("accepted as %q", id)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %T %v is not an *Error", err, err)
		}
		switch e.Code {
		case CodeMissingAuthenticationToken, CodeIncompleteSignature, CodeInvalidSignature,
			CodeUnrecognizedClient, CodeExpiredToken:
		default:
			t.Fatalf("unknown code %q", e.Code)
		}
		if e.Message == "" || id != "" {
			t.Fatalf("error %v with key %q", e, id)
		}
	})
}
