// Package sigv4 verifies AWS Signature Version 4 on incoming requests, the
// way AWS's JSON services do: the Authorization header that the AWS CLI,
// boto3 and the SDKs send, and, for completeness, presigned query strings.
//
// It is pure: the caller reads the body, passes the time, and looks up
// credentials; the package does no I/O, reads no clock and keeps no
// globals. A Verifier caches signing keys, so the steady-state check of a
// request allocates nothing and costs a few SHA-256 blocks.
//
// # Order of checks and AWS's answers
//
// The checks run in the order AWS's Coral front end runs them (as recorded
// by DynamoDB emulators and SigV4 verifiers that mirror AWS), and each
// failure answers AWS's code and wording:
//
//  1. Authorization header and X-Amz-Algorithm query parameter both there:
//     InvalidSignatureException, "Found both 'X-Amz-Algorithm' as a
//     query-string param and 'Authorization' as HTTP header."
//  2. Neither, or a header that does not start "AWS4-" (a Bearer token):
//     MissingAuthenticationTokenException, "Request is missing
//     Authentication Token". (API Gateway says "Missing Authentication
//     Token"; Coral services, SWF among them, say this.)
//  3. A header part that is not key=value: IncompleteSignatureException,
//     "'X' not a valid key=value pair (missing equal-sign) in Authorization
//     header: '...'." Then, in one message, every one missing of
//     Credential, Signature, SignedHeaders and a date header:
//     "Authorization header requires 'Credential' parameter. ... Authorization
//     header requires existence of either a 'X-Amz-Date' or a 'Date' header.
//     Authorization=<the header>". A presigned request lists its missing
//     X-Amz-* parameters the same way ("AWS query-string parameters must
//     include 'X-Amz-Date'. Re-examine the query-string parameters.").
//  4. A date that is not ISO 8601 basic format: IncompleteSignatureException,
//     "Date must be in ISO-8601 'basic format'. Got '...'. See
//     http://en.wikipedia.org/wiki/ISO_8601". A Date header (used only
//     when X-Amz-Date is absent, as AWS does) may also be an HTTP date.
//  5. A date more than 15 minutes from now: InvalidSignatureException,
//     "Signature expired: 20261201T101500Z is now earlier than
//     20261201T102000Z (20261201T103500Z - 15 min.)" or "Signature not yet
//     current: 20261201T105000Z is still later than 20261201T103500Z
//     (20261201T102000Z + 15 min.)". Exactly 15 minutes is still accepted.
//  6. host not among the signed headers: InvalidSignatureException,
//     "'Host' or ':authority' must be a 'SignedHeader' in the AWS
//     Authorization." (AWS answers InvalidSignature here, not Incomplete.)
//  7. An algorithm other than AWS4-HMAC-SHA256: IncompleteSignatureException,
//     "Unsupported AWS 'algorithm': 'X' (only AWS4-HMAC-SHA256 for now). "
//  8. A credential that is not five slash-separated parts (trailing slashes
//     ignored): IncompleteSignatureException, "Credential must have exactly 5
//     slash-delimited elements, e.g. keyid/date/region/service/term, got '...'"
//  9. A scope for another region, service, terminator or date:
//     InvalidSignatureException, one sentence per fault, each ending ". ",
//     in this order: "Credential should be scoped to a valid region. ",
//     "Credential should be scoped to correct service: 'swf'. ",
//     "Credential should be scoped with a valid terminator: 'aws4_request',
//     not 'x'. ", "Date in Credential scope does not match YYYYMMDD from
//     ISO-8601 version of date from HTTP: '20261130' != '20261201', from
//     '20261201T102000Z'. ".
//  10. An unknown access key id: UnrecognizedClientException, "The security
//     token included in the request is invalid."
//  11. A wrong signature: InvalidSignatureException, "The request signature
//     we calculated does not match the signature you provided. Check your
//     AWS Secret Access Key and signing method. Consult the service
//     documentation for details." Unlike early AWS, the message never shows
//     the canonical request or string to sign the server computed.
//  12. The session token, checked after the signature as AWS does: missing
//     for a credential that has one, different from it, or present for a
//     credential that has none all answer UnrecognizedClientException, "The
//     security token included in the request is invalid." That is what a
//     JSON service answers a client that forgot AWS_SESSION_TOKEN or holds
//     a stale one (InvalidClientTokenId is the Query services' name for the
//     same). The token need not be among the signed headers (SDKs sign it,
//     but it is only compared), and is compared in constant time.
//  13. A credential past its Expires: ExpiredTokenException, "The security
//     token included in the request is expired".
//
// # The canonical request
//
// It is built as the SDKs build it, from what the server received:
//
//   - the path as received (r.URL.EscapedPath), URI-encoded once more, as
//     the SDKs do for every service but S3; dot segments are kept, as
//     aws-sdk-go-v2 keeps them;
//   - the query decoded and encoded again the SigV4 way, sorted after
//     encoding; a query that does not decode fails as a wrong signature;
//   - the signed headers as the client listed them: host from r.Host,
//     content-length from r.ContentLength when not among the headers, each
//     value trimmed with inner runs of spaces made one, repeated headers
//     joined by commas. Headers not listed are ignored, so proxies may add
//     some; a listed one changed on the way breaks the signature;
//   - the SHA-256 of the body received. X-Amz-Content-Sha256 never stands
//     in for it, not even as UNSIGNED-PAYLOAD: a JSON service's body is
//     always signed.
//
// A presigned request may carry X-Amz-Expires (0 to 604800 seconds), which
// then replaces the 15 minutes after which the signature expires; its
// expiry message has AWS's form with the window in seconds ("- 90 sec.").
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Verifier checks SigV4 signatures for one region and service. It is safe
// for concurrent use, and must not be copied once used.
type Verifier struct {
	region  string
	service string
	keys    keyCache
}

// NewVerifier returns a Verifier that accepts requests scoped to region and
// service (for this server, the region it answers as and "swf").
func NewVerifier(region, service string) *Verifier {
	return &Verifier{region: region, service: service}
}

// Credential is what the server knows of an access key.
type Credential struct {
	// SecretAccessKey signs the requests of the key.
	SecretAccessKey string
	// SessionToken is the token a temporary credential's requests must
	// carry in X-Amz-Security-Token, "" when the key has none (and then a
	// request must carry none).
	SessionToken string
	// Expires is when the credential stops being valid; requests after it
	// fail with ExpiredTokenException. The zero time means never.
	Expires time.Time
}

// Verify checks the signature of r, whose body (already read by the caller)
// is body, at time now. lookup finds the credential of an access key id and
// reports false for an unknown one; it is called at most once, and only for
// a request whose signature is well formed and in date. On success Verify
// returns the access key id that signed the request; on failure the error
// is an *Error, and the access key id is "".
func (v *Verifier) Verify(r *http.Request, body []byte, now time.Time,
	lookup func(accessKeyID string) (Credential, bool)) (accessKeyID string, err error) {
	a, e := authOf(r)
	if e != nil {
		return "", e
	}
	now = now.UTC()

	// The timestamp the client signed: X-Amz-Date as sent, or a Date
	// header's time in the same form.
	signed, ok := parseAmzDate(a.date)
	stamp := a.date
	if !ok && a.httpDate {
		if t, perr := http.ParseTime(a.date); perr == nil {
			signed, stamp, ok = t.UTC(), amzTime(t), true
		}
	}
	if !ok {
		return "", badDate(a.date)
	}
	window := maxSkew
	if a.expires >= 0 {
		window = time.Duration(a.expires) * time.Second
	}
	if now.Sub(signed) > window {
		return "", expired(signed, now, window)
	}
	if signed.Sub(now) > maxSkew {
		return "", notYetCurrent(signed, now)
	}

	if !signsHost(a.signedHeaders) {
		return "", &Error{CodeInvalidSignature, msgHostNotSigned}
	}
	if a.algorithm != algorithm {
		return "", &Error{CodeIncompleteSignature,
			"Unsupported AWS 'algorithm': '" + a.algorithm + "' (only AWS4-HMAC-SHA256 for now). "}
	}

	cred := strings.TrimRight(a.credential, "/")
	var part [5]string
	rest := cred
	for i := range 4 {
		var found bool
		if part[i], rest, found = strings.Cut(rest, "/"); !found {
			return "", badCredential(a.credential)
		}
	}
	if strings.IndexByte(rest, '/') >= 0 {
		return "", badCredential(a.credential)
	}
	part[4] = rest
	keyID, scope := part[0], cred[len(part[0])+1:]

	if msg := v.scopeFaults(part[1], part[2], part[3], part[4], stamp); msg != "" {
		return "", &Error{CodeInvalidSignature, msg}
	}

	c, ok := lookup(keyID)
	if !ok {
		return "", &Error{CodeUnrecognizedClient, msgInvalidToken}
	}

	if !v.signatureMatches(r, &a, body, c.SecretAccessKey, part[1], stamp, scope) {
		return "", &Error{CodeInvalidSignature, msgSignatureMismatch}
	}

	if c.SessionToken == "" && a.token != "" || c.SessionToken != "" && !sameToken(a.token, c.SessionToken) {
		return "", &Error{CodeUnrecognizedClient, msgInvalidToken}
	}
	if !c.Expires.IsZero() && !now.Before(c.Expires) {
		return "", &Error{CodeExpiredToken, msgExpiredToken}
	}
	return keyID, nil
}

// authOf finds how r is signed: by its Authorization header, or by its
// query string when presigned.
func authOf(r *http.Request) (auth, *Error) {
	h := headerGet(r.Header, "Authorization")
	if r.URL != nil && r.URL.RawQuery != "" {
		// Requests to SWF carry no query string, so only the rare request
		// that does pays for parsing it.
		if q, _ := url.ParseQuery(r.URL.RawQuery); q.Has("X-Amz-Algorithm") {
			if h != "" {
				return auth{}, &Error{CodeInvalidSignature, msgBothAuth}
			}
			return parseQuery(q)
		}
	}
	if !strings.HasPrefix(strings.TrimLeft(h, " "), "AWS4-") {
		return auth{}, &Error{CodeMissingAuthenticationToken, msgMissingToken}
	}
	return parseHeader(h, r)
}

func badCredential(credential string) *Error {
	return &Error{CodeIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, " +
		"e.g. keyid/date/region/service/term, got '" + credential + "'"}
}

// signsHost reports whether host is among the signed headers. Without it a
// signature would hold for any server that shares the key.
func signsHost(signedHeaders string) bool {
	for rest := signedHeaders; ; {
		name, more, found := cutName(rest)
		if strings.EqualFold(name, "host") {
			return true
		}
		if !found {
			return false
		}
		rest = more
	}
}

// scopeFaults returns AWS's message for every way the credential scope
// differs from what the verifier accepts, "" when it does not.
func (v *Verifier) scopeFaults(date, region, service, term, stamp string) string {
	if region == v.region && service == v.service && term == terminator && date == stamp[:8] {
		return ""
	}
	var msg strings.Builder
	if region != v.region {
		msg.WriteString("Credential should be scoped to a valid region. ")
	}
	if service != v.service {
		msg.WriteString("Credential should be scoped to correct service: '" + v.service + "'. ")
	}
	if term != terminator {
		msg.WriteString("Credential should be scoped with a valid terminator: '" + terminator + "', not '" + term + "'. ")
	}
	if date != stamp[:8] {
		msg.WriteString("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			date + "' != '" + stamp[:8] + "', from '" + stamp + "'. ")
	}
	return msg.String()
}

// signatureMatches computes the signature of r and compares it with the one
// r carries, in constant time.
func (v *Verifier) signatureMatches(r *http.Request, a *auth, body []byte, secret, date, stamp, scope string) bool {
	// The signature sent, as bytes. Only lower-case hex is what a signer
	// writes; anything else cannot match, and saying so early tells the
	// sender nothing about the right signature.
	var got [sha256.Size]byte
	if !decodeHex(got[:], a.signature) {
		return false
	}
	key := v.keys.signingKey(secret, date, v.region, v.service)

	bodyHash := sha256.Sum256(body)
	// A heartbeat's canonical request is a few hundred bytes, or about two
	// thousand with a session token; the buffer keeps it on the stack.
	var crBuf [2048]byte
	cr, ok := appendCanonicalRequest(crBuf[:0], r, a, &bodyHash)
	if !ok {
		return false
	}
	crHash := sha256.Sum256(cr)

	// The string to sign, after room for the HMAC's inner pad.
	var stsBuf [256]byte
	sts := append(stsBuf[:sha256.BlockSize], algorithm+"\n"...)
	sts = append(sts, stamp...)
	sts = append(sts, '\n')
	sts = append(sts, scope...)
	sts = append(sts, '\n')
	sts = hex.AppendEncode(sts, crHash[:])
	want := hmacSign(&key, sts)
	return hmac.Equal(got[:], want[:])
}

// decodeHex decodes the lower-case hex s into dst, which it must fill
// exactly.
func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	// Invalid digits are collected rather than returned on at once: one
	// branch at the end instead of two a byte.
	var bad byte
	for i := range dst {
		hi, lo := hexValue[s[2*i]], hexValue[s[2*i+1]]
		bad |= hi | lo
		dst[i] = hi<<4 | lo&15
	}
	return bad&0x80 == 0
}

// hexValue maps a lower-case hex digit to its value and any other byte to
// 0xff.
var hexValue = func() (t [256]byte) {
	for c := range t {
		switch {
		case '0' <= c && c <= '9':
			t[c] = byte(c - '0')
		case 'a' <= c && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		default:
			t[c] = 0xff
		}
	}
	return t
}()

// sameToken compares two tokens in time that depends only on their lengths.
func sameToken(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var d byte
	for i := 0; i < len(a); i++ {
		d |= a[i] ^ b[i]
	}
	return d == 0
}
