package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Malformed authentication: each gets AWS's code and wording, and nothing
// panics. The request is the suite's get-vanilla at its own time, so only
// the header under test is wrong.
func TestMalformedAuthorization(t *testing.T) {
	const (
		cred  = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
		sh    = "SignedHeaders=host;x-amz-date"
		sig   = "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
		reqC  = "Authorization header requires 'Credential' parameter. "
		reqS  = "Authorization header requires 'Signature' parameter. "
		reqSH = "Authorization header requires 'SignedHeaders' parameter. "
		reqD  = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
	)
	good := "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig
	for _, c := range []struct {
		name    string
		authz   string
		date    string // X-Amz-Date; "-" for none
		code    string
		message string // "" to check the code only
	}{
		{"no header", "", "", CodeMissingAuthenticationToken, "Request is missing Authentication Token"},
		{"blank header", "   ", "", CodeMissingAuthenticationToken, "Request is missing Authentication Token"},
		{"bearer token", "Bearer abc.def", "", CodeMissingAuthenticationToken, "Request is missing Authentication Token"},
		{"SigV2", "AWS AKIDEXAMPLE:c2lnbmF0dXJl", "", CodeMissingAuthenticationToken, "Request is missing Authentication Token"},
		{"algorithm only", "AWS4-HMAC-SHA256", "", CodeIncompleteSignature,
			reqC + reqS + reqSH + "Authorization=AWS4-HMAC-SHA256"},
		{"algorithm only, no date", "AWS4-HMAC-SHA256", "-", CodeIncompleteSignature,
			reqC + reqS + reqSH + reqD + "Authorization=AWS4-HMAC-SHA256"},
		{"unknown parameters", "AWS4-HMAC-SHA256 Foo=Bar, Baz=Burp", "", CodeIncompleteSignature,
			reqC + reqS + reqSH + "Authorization=AWS4-HMAC-SHA256 Foo=Bar, Baz=Burp"},
		{"credential only", "AWS4-HMAC-SHA256 " + cred, "", CodeIncompleteSignature,
			reqS + reqSH + "Authorization=AWS4-HMAC-SHA256 " + cred},
		{"no signature", "AWS4-HMAC-SHA256 " + cred + ", " + sh, "", CodeIncompleteSignature,
			reqS + "Authorization=AWS4-HMAC-SHA256 " + cred + ", " + sh},
		{"empty signature", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=", "", CodeIncompleteSignature,
			reqS + "Authorization=AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature="},
		{"empty credential", "AWS4-HMAC-SHA256 Credential=, " + sh + ", " + sig, "", CodeIncompleteSignature,
			reqC + "Authorization=AWS4-HMAC-SHA256 Credential=, " + sh + ", " + sig},
		{"no date", good, "-", CodeIncompleteSignature, reqD + "Authorization=" + good},
		{"part without =", "AWS4-HMAC-SHA256 FooBar, BazBurp", "", CodeIncompleteSignature,
			"'FooBar' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 FooBar, BazBurp'."},
		{"spaces around =", "AWS4-HMAC-SHA256 Credential = x", "", CodeIncompleteSignature,
			"'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential = x'."},
		{"empty signed headers", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=, " + sig, "", CodeInvalidSignature, msgHostNotSigned},
		{"host not signed", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, " + sig, "", CodeInvalidSignature, msgHostNotSigned},
		{"unknown algorithm", "AWS4-HMAC-SHA25 " + cred + ", " + sh + ", " + sig, "", CodeIncompleteSignature,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "},
		{"SigV4a", "AWS4-ECDSA-P256-SHA256 " + cred + ", " + sh + ", " + sig, "", CodeIncompleteSignature,
			"Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). "},
		{"credential without scope", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE, " + sh + ", " + sig, "", CodeIncompleteSignature,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE'"},
		{"credential of four parts", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service, " + sh + ", " + sig, "",
			CodeIncompleteSignature,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/service'"},
		{"credential of six parts", "AWS4-HMAC-SHA256 " + cred + "/x, " + sh + ", " + sig, "", CodeIncompleteSignature,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request/x'"},
		{"everything wrong in the scope", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/foobar/wrong-region/wrong-service/aws5_request, " +
			sh + ", " + sig, "", CodeInvalidSignature,
			"Credential should be scoped to a valid region. Credential should be scoped to correct service: 'service'. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'foobar' != '20150830', from '20150830T123600Z'. "},
		{"scope of another day", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150829/us-east-1/service/aws4_request, " + sh + ", " + sig,
			"", CodeInvalidSignature,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'. "},
		{"empty key id", "AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/service/aws4_request, " + sh + ", " + sig, "",
			CodeUnrecognizedClient, msgInvalidToken},
		{"extended date", good, "2015-08-30T12:36:00Z", CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"fractional seconds", good, "20150830T123600.5Z", CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '20150830T123600.5Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"HTTP date in X-Amz-Date", good, "Sun, 30 Aug 2015 12:36:00 GMT", CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got 'Sun, 30 Aug 2015 12:36:00 GMT'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"short signature", strings.Replace(good, "bf31", "", 1), "", CodeInvalidSignature, msgSignatureMismatch},
		{"upper-case signature", good[:len(good)-64] + strings.ToUpper(good[len(good)-64:]), "",
			CodeInvalidSignature, msgSignatureMismatch},
		{"non-hex signature", good[:len(good)-1] + "g", "", CodeInvalidSignature, msgSignatureMismatch},
		{"binary junk", "AWS4-\x00\xff\xfe=\x01,,,;;;", "", CodeIncompleteSignature, ""},
		{"very long", "AWS4-HMAC-SHA256 " + strings.Repeat("Credential=/////,", 5000), "", CodeIncompleteSignature, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := NewVerifier("us-east-1", suiteService)
			r := &http.Request{Method: "GET", URL: &url.URL{Path: "/"}, Host: suiteHost, Header: http.Header{}}
			if c.authz != "" {
				r.Header.Set("Authorization", c.authz)
			}
			switch c.date {
			case "":
				r.Header.Set("X-Amz-Date", suiteStamp)
			case "-":
			default:
				r.Header.Set("X-Amz-Date", c.date)
			}
			lookup := func(id string) (Credential, bool) { return Credential{SecretAccessKey: suiteSecret}, id == suiteKeyID }
			id, err := v.Verify(r, nil, suiteTime, lookup)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify = %q, %v; want %s", id, err, c.code)
			}
			if e.Code != c.code || c.message != "" && e.Message != c.message {
				t.Fatalf("Verify error\n got %s: %q\nwant %s: %q", e.Code, e.Message, c.code, c.message)
			}
		})
	}
}
