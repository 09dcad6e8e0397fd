package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/swf"
)

// Requests signed by aws-sdk-go-v2's signer, sent over a real connection.

func TestSDKSignedRequestVerifies(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	body := heartbeatBody()
	req := newSWFRequest(t, w.srv.URL+"/", "RecordActivityTaskHeartbeat", body)
	sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
	id, err := w.verify(t, v, req, t0, plainLookup)
	wantOK(t, id, err)
}

func TestSDKSignedEmptyBody(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	req := newSWFRequest(t, w.srv.URL, "ListDomains", "")
	sdkSign(t, req, "", testCreds(), "swf", testRegion, t0)
	id, err := w.verify(t, v, req, t0, plainLookup)
	wantOK(t, id, err)
}

func TestWrongSecret(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	body := heartbeatBody()
	req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	creds := testCreds()
	creds.SecretAccessKey = "not-the-secret"
	sdkSign(t, req, body, creds, "swf", testRegion, t0)
	id, err := w.verify(t, v, req, t0, plainLookup)
	wantErr(t, id, err, CodeInvalidSignature, msgSignatureMismatch)
}

func TestWrongScope(t *testing.T) {
	for _, c := range []struct {
		name, service, region, want string
	}{
		{"region", "swf", "us-west-2", "Credential should be scoped to a valid region. "},
		{"service", "dynamodb", testRegion, "Credential should be scoped to correct service: 'swf'. "},
		{"both", "dynamodb", "eu-west-1",
			"Credential should be scoped to a valid region. Credential should be scoped to correct service: 'swf'. "},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWire(t)
			v := NewVerifier(testRegion, "swf")
			body := heartbeatBody()
			req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
			sdkSign(t, req, body, testCreds(), c.service, c.region, t0)
			id, err := w.verify(t, v, req, t0, plainLookup)
			wantErr(t, id, err, CodeInvalidSignature, c.want)
		})
	}
}

func TestClockSkew(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	for _, c := range []struct {
		name     string
		signedAt time.Duration // relative to now
		code     string
		message  string
	}{
		{"14 min old", -14 * time.Minute, "", ""},
		{"15 min old", -15 * time.Minute, "", ""},
		{"14 min ahead", 14 * time.Minute, "", ""},
		{"15 min ahead", 15 * time.Minute, "", ""},
		{"16 min old", -16 * time.Minute, CodeInvalidSignature,
			"Signature expired: 20261201T100400Z is now earlier than 20261201T100500Z (20261201T102000Z - 15 min.)"},
		{"15 min 1 s old", -15*time.Minute - time.Second, CodeInvalidSignature,
			"Signature expired: 20261201T100459Z is now earlier than 20261201T100500Z (20261201T102000Z - 15 min.)"},
		{"16 min ahead", 16 * time.Minute, CodeInvalidSignature,
			"Signature not yet current: 20261201T103600Z is still later than 20261201T103500Z (20261201T102000Z + 15 min.)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := heartbeatBody()
			req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
			sdkSign(t, req, body, testCreds(), "swf", testRegion, t0.Add(c.signedAt))
			id, err := w.verify(t, v, req, t0, plainLookup)
			if c.code == "" {
				wantOK(t, id, err)
			} else {
				wantErr(t, id, err, c.code, c.message)
			}
		})
	}
}

// Signed just before midnight UTC and checked just after: the scope's date
// is the day before the server's, which is fine.
func TestAcrossMidnight(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	midnight := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	for _, signedAt := range []time.Time{midnight.Add(-time.Minute), midnight.Add(time.Minute)} {
		body := heartbeatBody()
		req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
		sdkSign(t, req, body, testCreds(), "swf", testRegion, signedAt)
		for _, now := range []time.Time{midnight.Add(-2 * time.Minute), midnight.Add(2 * time.Minute)} {
			id, err := w.verify(t, v, newClone(t, req, body), now, plainLookup)
			wantOK(t, id, err)
		}
	}
}

// newClone copies a signed request so that it can be sent again.
func newClone(t testing.TB, req *http.Request, body string) *http.Request {
	t.Helper()
	c := req.Clone(context.Background())
	setBody(c, body)
	return c
}

func TestMissingAmzDate(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	body := heartbeatBody()
	req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
	req.Header.Del("X-Amz-Date")
	id, err := w.verify(t, v, req, t0, plainLookup)
	wantErr(t, id, err, CodeIncompleteSignature,
		"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="+req.Header.Get("Authorization"))
}

// A header the signature does not cover may be added on the way (proxies
// do); one it covers may not be changed.
func TestHeadersAfterSigning(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	body := heartbeatBody()

	req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
	req.Header.Set("X-Forwarded-For", "192.0.2.1")
	req.Header.Set("Via", "1.1 proxy")
	req.Header.Set("User-Agent", "something else")
	id, err := w.verify(t, v, req, t0, plainLookup)
	wantOK(t, id, err)

	req = newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
	req.Header.Set("X-Amz-Target", "SimpleWorkflowService.TerminateWorkflowExecution")
	id, err = w.verify(t, v, req, t0, plainLookup)
	wantErr(t, id, err, CodeInvalidSignature, msgSignatureMismatch)

	// A second value of a signed header changes its canonical value too.
	req = newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
	req.Header.Add("Content-Type", "text/plain")
	id, err = w.verify(t, v, req, t0, plainLookup)
	wantErr(t, id, err, CodeInvalidSignature, msgSignatureMismatch)
}

func TestBodyChangedAfterSigning(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	body := heartbeatBody()
	req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
	// Same length, so only the payload hash can tell.
	setBody(req, strings.Replace(body, "42%", "99%", 1))
	id, err := w.verify(t, v, req, t0, plainLookup)
	wantErr(t, id, err, CodeInvalidSignature, msgSignatureMismatch)
}

// X-Amz-Content-Sha256 cannot stand in for the body: the body received is
// what is hashed.
func TestContentSha256Header(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	body := heartbeatBody()
	sum := sha256.Sum256([]byte(body))

	req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
	id, err := w.verify(t, v, req, t0, plainLookup)
	wantOK(t, id, err)

	// Signed with the header's (false) hash as payload hash, the header
	// matching what was signed: still refused, the body is not that.
	other := sha256.Sum256([]byte("{}"))
	req = newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(other[:]))
	if err := v4.NewSigner().SignHTTP(context.Background(), testCreds(), req, hex.EncodeToString(other[:]), "swf", testRegion, t0); err != nil {
		t.Fatal(err)
	}
	id, err = w.verify(t, v, req, t0, plainLookup)
	wantErr(t, id, err, CodeInvalidSignature, msgSignatureMismatch)

	req = newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	if err := v4.NewSigner().SignHTTP(context.Background(), testCreds(), req, "UNSIGNED-PAYLOAD", "swf", testRegion, t0); err != nil {
		t.Fatal(err)
	}
	id, err = w.verify(t, v, req, t0, plainLookup)
	wantErr(t, id, err, CodeInvalidSignature, msgSignatureMismatch)
}

func TestUnknownKey(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	body := heartbeatBody()
	req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	creds := testCreds()
	creds.AccessKeyID = "AKIDNOBODYKNOWS"
	sdkSign(t, req, body, creds, "swf", testRegion, t0)
	id, err := w.verify(t, v, req, t0, plainLookup)
	wantErr(t, id, err, CodeUnrecognizedClient, msgInvalidToken)
}

func TestSessionToken(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	withToken := Credential{SecretAccessKey: testSecret, SessionToken: testToken}
	for _, c := range []struct {
		name        string
		signedToken string // the token the client holds, "" for none
		known       Credential
		code        string
	}{
		{"right", testToken, withToken, ""},
		{"missing", "", withToken, CodeUnrecognizedClient},
		{"wrong", testToken + "x", withToken, CodeUnrecognizedClient},
		{"same length, wrong", strings.Replace(testToken, "F", "G", 1), withToken, CodeUnrecognizedClient},
		{"not expected", testToken, Credential{SecretAccessKey: testSecret}, CodeUnrecognizedClient},
		{"right, not expired yet", testToken,
			Credential{SecretAccessKey: testSecret, SessionToken: testToken, Expires: t0.Add(time.Second)}, ""},
		{"right, expired", testToken,
			Credential{SecretAccessKey: testSecret, SessionToken: testToken, Expires: t0}, CodeExpiredToken},
		{"wrong and expired", "stale",
			Credential{SecretAccessKey: testSecret, SessionToken: testToken, Expires: t0.Add(-time.Hour)}, CodeUnrecognizedClient},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := heartbeatBody()
			req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
			creds := testCreds()
			creds.SessionToken = c.signedToken
			sdkSign(t, req, body, creds, "swf", testRegion, t0)
			if c.signedToken != "" && !strings.Contains(req.Header.Get("Authorization"), "x-amz-security-token") {
				t.Fatal("the SDK no longer signs the session token")
			}
			id, err := w.verify(t, v, req, t0, lookupOf(c.known))
			switch c.code {
			case "":
				wantOK(t, id, err)
			case CodeExpiredToken:
				wantErr(t, id, err, c.code, msgExpiredToken)
			default:
				wantErr(t, id, err, c.code, msgInvalidToken)
			}
		})
	}

	// A token added after signing, without being signed, is still checked.
	body := heartbeatBody()
	req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
	req.Header.Set("X-Amz-Security-Token", testToken)
	id, err := w.verify(t, v, req, t0, lookupOf(withToken))
	wantOK(t, id, err)
	req = newClone(t, req, body)
	req.Header.Set("X-Amz-Security-Token", "other")
	id, err = w.verify(t, v, req, t0, lookupOf(withToken))
	wantErr(t, id, err, CodeUnrecognizedClient, msgInvalidToken)
}

// A credential without a token can be given an expiry too.
func TestExpiredCredential(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	body := heartbeatBody()
	req := newSWFRequest(t, w.srv.URL, "RecordActivityTaskHeartbeat", body)
	sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
	id, err := w.verify(t, v, req, t0, lookupOf(Credential{SecretAccessKey: testSecret, Expires: t0.Add(-time.Second)}))
	wantErr(t, id, err, CodeExpiredToken, msgExpiredToken)
}

func TestQueryString(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	body := heartbeatBody()
	const query = "b=2&a=1&a=0&flag&empty=&sp=a%20b&plus=a+b&slash=x%2Fy&utf8=%C3%BC&tilde=~&star=*"
	req := newSWFRequest(t, w.srv.URL+"/?"+query, "RecordActivityTaskHeartbeat", body)
	sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
	id, err := w.verify(t, v, req, t0, plainLookup)
	wantOK(t, id, err)

	for _, changed := range []string{query + "&c=3", strings.Replace(query, "b=2", "b=3", 1), "b=2&a=1"} {
		req := newSWFRequest(t, w.srv.URL+"/?"+query, "RecordActivityTaskHeartbeat", body)
		sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
		req.URL.RawQuery = changed
		id, err := w.verify(t, v, req, t0, plainLookup)
		wantErr(t, id, err, CodeInvalidSignature, msgSignatureMismatch)
	}
}

func TestPathOtherThanRoot(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	body := heartbeatBody()
	for _, path := range []string{"/swf", "/a/b/c/", "/with%20space/x", "/%C3%BCber", "/a%2Fb", "/a+b/$c"} {
		t.Run(path, func(t *testing.T) {
			req := newSWFRequest(t, w.srv.URL+path, "RecordActivityTaskHeartbeat", body)
			sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
			id, err := w.verify(t, v, req, t0, plainLookup)
			wantOK(t, id, err)

			req = newSWFRequest(t, w.srv.URL+path, "RecordActivityTaskHeartbeat", body)
			sdkSign(t, req, body, testCreds(), "swf", testRegion, t0)
			u, err := url.Parse(w.srv.URL + path + "x")
			if err != nil {
				t.Fatal(err)
			}
			req.URL = u
			id, err = w.verify(t, v, req, t0, plainLookup)
			wantErr(t, id, err, CodeInvalidSignature, msgSignatureMismatch)
		})
	}
}

func TestPresigned(t *testing.T) {
	w := newWire(t)
	v := NewVerifier(testRegion, "swf")
	body := heartbeatBody()
	sum := sha256.Sum256([]byte(body))
	presign := func(t *testing.T, creds aws.Credentials, expires string) *http.Request {
		req := newSWFRequest(t, w.srv.URL+"/?x=1", "RecordActivityTaskHeartbeat", body)
		if expires != "" {
			q := req.URL.Query()
			q.Set("X-Amz-Expires", expires)
			req.URL.RawQuery = q.Encode()
		}
		signed, header, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req,
			hex.EncodeToString(sum[:]), "swf", testRegion, t0)
		if err != nil {
			t.Fatal(err)
		}
		out, err := http.NewRequest(http.MethodPost, signed, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range header {
			if !strings.EqualFold(k, "host") {
				out.Header[k] = vs
			}
		}
		return out
	}

	t.Run("ok", func(t *testing.T) {
		req := presign(t, testCreds(), "")
		id, err := w.verify(t, v, req, t0.Add(10*time.Minute), plainLookup)
		wantOK(t, id, err)
	})
	t.Run("with token", func(t *testing.T) {
		creds := testCreds()
		creds.SessionToken = testToken
		req := presign(t, creds, "")
		id, err := w.verify(t, v, req, t0, lookupOf(Credential{SecretAccessKey: testSecret, SessionToken: testToken}))
		wantOK(t, id, err)
	})
	t.Run("expires", func(t *testing.T) {
		req := presign(t, testCreds(), "60")
		id, err := w.verify(t, v, req, t0.Add(time.Minute), plainLookup)
		wantOK(t, id, err)
		req = presign(t, testCreds(), "90")
		id, err = w.verify(t, v, req, t0.Add(2*time.Minute), plainLookup)
		wantErr(t, id, err, CodeInvalidSignature,
			"Signature expired: 20261201T102000Z is now earlier than 20261201T102030Z (20261201T102200Z - 90 sec.)")
		req = presign(t, testCreds(), "3600")
		id, err = w.verify(t, v, req, t0.Add(59*time.Minute), plainLookup)
		wantOK(t, id, err)
	})
	t.Run("bad expires", func(t *testing.T) {
		req := presign(t, testCreds(), "604801")
		id, err := w.verify(t, v, req, t0, plainLookup)
		wantErr(t, id, err, CodeIncompleteSignature,
			"X-Amz-Expires must be a whole number of seconds from 0 to 604800 (a week), not '604801'.")
	})
	t.Run("tampered", func(t *testing.T) {
		req := presign(t, testCreds(), "")
		req.URL.RawQuery = strings.Replace(req.URL.RawQuery, "x=1", "x=2", 1)
		id, err := w.verify(t, v, req, t0, plainLookup)
		wantErr(t, id, err, CodeInvalidSignature, msgSignatureMismatch)
	})
	t.Run("and a header", func(t *testing.T) {
		req := presign(t, testCreds(), "")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
		id, err := w.verify(t, v, req, t0, plainLookup)
		wantErr(t, id, err, CodeInvalidSignature, msgBothAuth)
	})
	t.Run("incomplete", func(t *testing.T) {
		req := presign(t, testCreds(), "")
		q := req.URL.Query()
		q.Del("X-Amz-Signature")
		q.Del("X-Amz-Date")
		req.URL.RawQuery = q.Encode()
		id, err := w.verify(t, v, req, t0, plainLookup)
		wantErr(t, id, err, CodeIncompleteSignature,
			"AWS query-string parameters must include 'X-Amz-Signature'. "+
				"AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters.")
	})
}

// The SWF client itself, end to end: what it sends is what Verify accepts.
func TestSWFClient(t *testing.T) {
	for _, token := range []string{"", testToken} {
		w := newWire(t)
		v := NewVerifier("eu-west-1", "swf")
		var mu sync.Mutex
		var results []error
		w.handle = func(r *http.Request, body []byte) {
			_, err := v.Verify(r, body, time.Now(), lookupOf(Credential{SecretAccessKey: testSecret, SessionToken: token}))
			mu.Lock()
			results = append(results, err)
			mu.Unlock()
		}
		client := swf.New(swf.Options{
			Region:       "eu-west-1",
			BaseEndpoint: aws.String(w.srv.URL),
			HTTPClient:   w.srv.Client(),
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: token}, nil
			}),
		})
		ctx := context.Background()
		if _, err := client.RecordActivityTaskHeartbeat(ctx, &swf.RecordActivityTaskHeartbeatInput{
			TaskToken: aws.String(strings.Repeat("t", 800)), Details: aws.String("half way"),
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.ListDomains(ctx, &swf.ListDomainsInput{RegistrationStatus: "REGISTERED"}); err != nil {
			t.Fatal(err)
		}
		if len(results) != 2 || results[0] != nil || results[1] != nil {
			t.Fatalf("token %q: Verify said %v", token, results)
		}
	}
}

// Many goroutines, many keys, several days, one Verifier: the cache, which
// drops old days as new ones come, holds under -race.
func TestConcurrentVerify(t *testing.T) {
	v := NewVerifier(testRegion, "swf")
	type signed struct {
		req *http.Request
		at  time.Time
	}
	secrets := map[string]string{}
	var reqs []signed
	body := heartbeatBody()
	for day := range 3 {
		at := t0.Add(time.Duration(day) * 24 * time.Hour)
		for i := range 8 {
			id := "AKID" + strings.Repeat("X", i)
			secrets[id] = "secret" + id
			req := newSWFRequest(t, "http://swf.us-east-1.amazonaws.com/", "RecordActivityTaskHeartbeat", body)
			sdkSign(t, req, body, aws.Credentials{AccessKeyID: id, SecretAccessKey: secrets[id]}, "swf", testRegion, at)
			reqs = append(reqs, signed{req, at})
		}
	}
	lookup := func(id string) (Credential, bool) {
		s, ok := secrets[id]
		return Credential{SecretAccessKey: s}, ok
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				s := reqs[(g*7+i)%len(reqs)]
				if _, err := v.Verify(s.req, []byte(body), s.at, lookup); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
