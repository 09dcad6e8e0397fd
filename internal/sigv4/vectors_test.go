package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Hand-built requests: each case writes its canonical request out by hand,
// following the specification, and signs it with refSign, which shares no
// code with the package. The first cases are AWS's published SigV4 test
// suite (get-vanilla, get-vanilla-query-order-key-case, post-vanilla), whose
// signatures check refSign itself.

const (
	suiteKeyID   = "AKIDEXAMPLE"
	suiteSecret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	suiteStamp   = "20150830T123600Z"
	suiteScope   = "20150830/us-east-1/service/aws4_request"
	emptySHA256  = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	suiteHost    = "example.amazonaws.com"
	suiteService = "service"
)

var suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

// refSign is SigV4 the long way: string to sign, derived key, HMAC.
func refSign(secret, scope, stamp, canonicalRequest string) string {
	mac := func(key []byte, data string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(data))
		return m.Sum(nil)
	}
	parts := strings.Split(scope, "/")
	key := []byte("AWS4" + secret)
	for _, p := range parts {
		key = mac(key, p)
	}
	h := sha256.Sum256([]byte(canonicalRequest))
	return hex.EncodeToString(mac(key, "AWS4-HMAC-SHA256\n"+stamp+"\n"+scope+"\n"+hex.EncodeToString(h[:])))
}

type handCase struct {
	name      string
	method    string
	target    string // path and query as on the request line
	headers   [][2]string
	body      string
	signed    string // SignedHeaders
	canonical string // the canonical request, by hand
	published string // AWS's published signature, when there is one
}

func handCases() []handCase {
	date := [2]string{"X-Amz-Date", suiteStamp}
	return []handCase{
		{
			name: "get-vanilla", method: "GET", target: "/", headers: [][2]string{date},
			signed:    "host;x-amz-date",
			canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptySHA256,
			published: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		},
		{
			name: "get-vanilla-query-order-key-case", method: "GET", target: "/?Param2=value2&Param1=value1",
			headers: [][2]string{date}, signed: "host;x-amz-date",
			canonical: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptySHA256,
			published: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
		},
		{
			name: "post-vanilla", method: "POST", target: "/", headers: [][2]string{date},
			signed:    "host;x-amz-date",
			canonical: "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptySHA256,
			published: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
		},
		{
			name: "header values trimmed, spaces collapsed", method: "GET", target: "/",
			headers: [][2]string{date, {"My-Header1", " value1"}, {"My-Header2", `"a   b   c"`}},
			signed:  "host;my-header1;my-header2;x-amz-date",
			canonical: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n" +
				"x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" + emptySHA256,
		},
		{
			name: "repeated header joined by commas", method: "GET", target: "/",
			headers: [][2]string{date, {"X-Multi", "a"}, {"X-Multi", "b   c"}, {"X-Multi", "d"}},
			signed:  "host;x-amz-date;x-multi",
			canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-multi:a,b c,d\n\n" +
				"host;x-amz-date;x-multi\n" + emptySHA256,
		},
		{
			name: "Date header instead of X-Amz-Date", method: "GET", target: "/",
			headers: [][2]string{{"Date", "Sun, 30 Aug 2015 12:36:00 GMT"}},
			signed:  "date;host",
			canonical: "GET\n/\n\ndate:Sun, 30 Aug 2015 12:36:00 GMT\nhost:example.amazonaws.com\n\ndate;host\n" +
				emptySHA256,
		},
		{
			name: "path encoded twice", method: "GET", target: "/example%20space/%C3%BC",
			headers: [][2]string{date}, signed: "host;x-amz-date",
			canonical: "GET\n/example%2520space/%25C3%25BC\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
				"host;x-amz-date\n" + emptySHA256,
		},
		{
			name: "query: sorted after encoding, empty values, space as %20", method: "GET",
			target:  "/?b=&a=2&a=1&c%20d=e+f&flag&x=a%2Fb&x=a-b&t=~*",
			headers: [][2]string{date}, signed: "host;x-amz-date",
			canonical: "GET\n/\na=1&a=2&b=&c%20d=e%20f&flag=&t=~%2A&x=a%2Fb&x=a-b\nhost:example.amazonaws.com\n" +
				"x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptySHA256,
		},
		{
			name: "SWF heartbeat with body and content-length", method: "POST", target: "/",
			headers: [][2]string{date, {"Content-Type", "application/x-amz-json-1.0"},
				{"X-Amz-Target", "SimpleWorkflowService.RecordActivityTaskHeartbeat"}},
			body:   `{"taskToken":"t"}`,
			signed: "content-length;content-type;host;x-amz-date;x-amz-target",
			canonical: "POST\n/\n\ncontent-length:17\ncontent-type:application/x-amz-json-1.0\nhost:example.amazonaws.com\n" +
				"x-amz-date:20150830T123600Z\nx-amz-target:SimpleWorkflowService.RecordActivityTaskHeartbeat\n\n" +
				"content-length;content-type;host;x-amz-date;x-amz-target\n" + hexSHA256(`{"taskToken":"t"}`),
		},
	}
}

// request builds the request as Go's server would hand it over: Host out of
// the header map, names canonical, Content-Length in r.ContentLength.
func (c handCase) request(t testing.TB, authorization string) *http.Request {
	t.Helper()
	u, err := url.ParseRequestURI(c.target)
	if err != nil {
		t.Fatal(err)
	}
	r := &http.Request{Method: c.method, URL: u, Host: suiteHost, Header: http.Header{},
		ContentLength: int64(len(c.body)), RequestURI: c.target}
	for _, h := range c.headers {
		r.Header.Add(h[0], h[1])
	}
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	return r
}

func hexSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestHandBuiltRequests(t *testing.T) {
	v := NewVerifier("us-east-1", suiteService)
	for _, c := range handCases() {
		t.Run(c.name, func(t *testing.T) {
			canonical := c.canonical
			sig := refSign(suiteSecret, suiteScope, suiteStamp, canonical)
			if c.published != "" && sig != c.published {
				t.Fatalf("refSign = %s, AWS published %s", sig, c.published)
			}
			authz := "AWS4-HMAC-SHA256 Credential=" + suiteKeyID + "/" + suiteScope +
				", SignedHeaders=" + c.signed + ", Signature=" + sig
			r := c.request(t, authz)

			a, e := authOf(r)
			if e != nil {
				t.Fatal(e)
			}
			sum := sha256.Sum256([]byte(c.body))
			got, ok := appendCanonicalRequest(nil, r, &a, &sum)
			if !ok || string(got) != canonical {
				t.Fatalf("canonical request\n got %q\nwant %q", got, canonical)
			}

			lookup := func(id string) (Credential, bool) {
				return Credential{SecretAccessKey: suiteSecret}, id == suiteKeyID
			}
			for _, now := range []time.Time{suiteTime, suiteTime.Add(-15 * time.Minute), suiteTime.Add(15 * time.Minute)} {
				id, err := v.Verify(r, []byte(c.body), now, lookup)
				if err != nil || id != suiteKeyID {
					t.Fatalf("Verify at %v = %q, %v", now, id, err)
				}
			}
			// One bit off in the signature, anywhere, fails.
			for i := 0; i < len(sig); i += 13 {
				bad := []byte(sig)
				bad[i] ^= 1
				r := c.request(t, strings.Replace(authz, sig, string(bad), 1))
				id, err := v.Verify(r, []byte(c.body), suiteTime, lookup)
				wantErr(t, id, err, CodeInvalidSignature, msgSignatureMismatch)
			}
		})
	}
}

// The separators of the Authorization header's parameters vary between
// clients; all of these say the same.
func TestAuthorizationSeparators(t *testing.T) {
	v := NewVerifier("us-east-1", suiteService)
	c := handCases()[0]
	lookup := func(id string) (Credential, bool) { return Credential{SecretAccessKey: suiteSecret}, id == suiteKeyID }
	const cred, sh, sig = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request",
		"SignedHeaders=host;x-amz-date", "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
	for _, h := range []string{
		"AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig,
		"AWS4-HMAC-SHA256 " + cred + "," + sh + "," + sig,
		"AWS4-HMAC-SHA256 " + cred + " " + sh + " " + sig,
		"AWS4-HMAC-SHA256 " + sig + ", " + cred + ", " + sh,
		"AWS4-HMAC-SHA256   " + cred + " ,  " + sh + ",  " + sig + ",",
		"AWS4-HMAC-SHA256 " + cred + "/, " + sh + ", " + sig, // a trailing slash on the credential
	} {
		id, err := v.Verify(c.request(t, h), nil, suiteTime, lookup)
		if err != nil || id != suiteKeyID {
			t.Errorf("%q: Verify = %q, %v", h, id, err)
		}
	}
}

// hmacSign is crypto/hmac's HMAC-SHA256 for 32-byte keys.
func TestHMACSignMatchesCryptoHMAC(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		var key [32]byte
		for i := range key {
			key[i] = byte(rng.IntN(256))
		}
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(rng.IntN(256))
		}
		m := hmac.New(sha256.New, key[:])
		m.Write(msg)
		want := m.Sum(nil)
		got := hmacSign(&key, append(make([]byte, sha256.BlockSize), msg...))
		if !hmac.Equal(got[:], want) {
			t.Fatalf("len %d: hmacSign = %x, crypto/hmac %x", n, got, want)
		}
	}
}

func TestParseAmzDate(t *testing.T) {
	for s, ok := range map[string]bool{
		"20150830T123600Z":     true,
		"20240229T235959Z":     true,
		"20230229T000000Z":     false, // not a leap year
		"20150830T240000Z":     false,
		"20150830T126000Z":     false,
		"20151330T123600Z":     false,
		"20150830T123600":      false,
		"20150830T123600.5Z":   false,
		"2015-08-30T12:36:00Z": false,
		"2015083aT123600Z":     false,
		"+0150830T123600Z":     false,
		"":                     false,
	} {
		if _, got := parseAmzDate(s); got != ok {
			t.Errorf("parseAmzDate(%q) ok = %v, want %v", s, got, ok)
		}
	}
}

func TestKeyCacheBounded(t *testing.T) {
	var c keyCache
	want := deriveKey("s", "20261201", "r", "svc")
	if got := c.signingKey("s", "20261201", "r", "svc"); got != want {
		t.Fatal("cached key differs from derived")
	}
	if got := c.signingKey("s", "20261201", "r", "svc"); got != want {
		t.Fatal("second look-up differs")
	}
	for i := range 3 * maxCachedKeys {
		c.signingKey("secret"+strings.Repeat("x", i%50)+string(rune('a'+i%26))+string(rune(i)), "20261201", "r", "svc")
	}
	if n := len(c.keys); n > maxCachedKeys {
		t.Fatalf("cache holds %d keys, bound %d", n, maxCachedKeys)
	}
	// Days roll: the day before the newest stays, older ones go.
	c.signingKey("s", "20261202", "r", "svc")
	c.signingKey("s", "20261203", "r", "svc")
	for n := range c.keys {
		if n.date < "20261202" {
			t.Fatalf("key of %s still cached on %s", n.date, c.latest)
		}
	}
	if _, ok := c.keys[keyName{"s", "20261202"}]; !ok {
		t.Fatal("yesterday's key dropped")
	}
}
