package sigv4

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	algorithm     = "AWS4-HMAC-SHA256"
	terminator    = "aws4_request"
	amzDateLayout = "20060102T150405Z"

	// maxSkew is how far the request's date may be from the server's now,
	// either way: AWS's 15 minutes.
	maxSkew = 15 * time.Minute
	// maxPresignExpires is the longest X-Amz-Expires a presigned request may
	// ask for: a week, as AWS allows.
	maxPresignExpires = 7 * 24 * 60 * 60
)

// auth is what a request says of its signature, from the Authorization
// header or from the query string of a presigned request. Its strings are
// slices of the request's own, so reading them allocates nothing.
type auth struct {
	presigned     bool
	algorithm     string
	credential    string
	signedHeaders string
	signature     string
	// date is the request's timestamp as received: X-Amz-Date, or Date when
	// there is no X-Amz-Date (then httpDate is set).
	date     string
	httpDate bool
	// token is the X-Amz-Security-Token the request carries, "" for none.
	token string
	// expires is a presigned request's X-Amz-Expires in seconds, -1 when it
	// has none.
	expires int64
}

// parseHeader reads an Authorization header of the form
//
//	AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/swf/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
//
// AWS separates the parameters with commas, spaces or both, so any run of
// either separates them here; tabs do not. It checks only the header's
// shape, in AWS's order: every part must be key=value; then Credential,
// Signature and SignedHeaders must be there, and a date header too, all
// missing ones listed in one message that ends by echoing the header.
func parseHeader(h string, r *http.Request) (auth, *Error) {
	a := auth{expires: -1}
	s := strings.TrimLeft(h, " ")
	a.algorithm, s = cutToken(s)
	var haveCredential, haveSignature, haveSignedHeaders bool
	for {
		var part string
		if part, s = cutToken(s); part == "" {
			break
		}
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return a, &Error{CodeIncompleteSignature, "'" + part +
				"' not a valid key=value pair (missing equal-sign) in Authorization header: '" + h + "'."}
		}
		// An empty Credential or Signature counts as missing, as at AWS;
		// an empty SignedHeaders does not, and fails later for not naming
		// host.
		switch key {
		case "Credential":
			a.credential, haveCredential = value, value != ""
		case "Signature":
			a.signature, haveSignature = value, value != ""
		case "SignedHeaders":
			a.signedHeaders, haveSignedHeaders = value, true
		}
	}
	a.date = headerGet(r.Header, "X-Amz-Date")
	if a.date == "" {
		a.date, a.httpDate = headerGet(r.Header, "Date"), true
	}
	a.token = headerGet(r.Header, "X-Amz-Security-Token")
	if haveCredential && haveSignature && haveSignedHeaders && a.date != "" {
		return a, nil
	}
	var msg strings.Builder
	if !haveCredential {
		msg.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if !haveSignature {
		msg.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if !haveSignedHeaders {
		msg.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	if a.date == "" {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	msg.WriteString("Authorization=")
	msg.WriteString(h)
	return a, &Error{CodeIncompleteSignature, msg.String()}
}

// cutToken returns the first token of s, skipping the commas and spaces
// before it, and what follows it. It looks for the token's end with
// IndexByte, which scans many bytes at a time: this runs on every request.
func cutToken(s string) (token, rest string) {
	i := 0
	for i < len(s) && (s[i] == ',' || s[i] == ' ') {
		i++
	}
	s = s[i:]
	end := len(s)
	if j := strings.IndexByte(s, ','); j >= 0 {
		end = j
	}
	if j := strings.IndexByte(s[:end], ' '); j >= 0 {
		end = j
	}
	return s[:end], s[end:]
}

// parseQuery reads the authentication of a presigned request from its query
// string. AWS lists every missing parameter in one message.
func parseQuery(q url.Values) (auth, *Error) {
	a := auth{
		presigned:     true,
		algorithm:     q.Get("X-Amz-Algorithm"),
		credential:    q.Get("X-Amz-Credential"),
		signature:     q.Get("X-Amz-Signature"),
		signedHeaders: q.Get("X-Amz-SignedHeaders"),
		date:          q.Get("X-Amz-Date"),
		token:         q.Get("X-Amz-Security-Token"),
		expires:       -1,
	}
	var msg strings.Builder
	for _, p := range [...]struct{ name, value string }{
		{"X-Amz-Algorithm", a.algorithm},
		{"X-Amz-Credential", a.credential},
		{"X-Amz-Signature", a.signature},
		{"X-Amz-SignedHeaders", a.signedHeaders},
		{"X-Amz-Date", a.date},
	} {
		if p.value == "" {
			msg.WriteString("AWS query-string parameters must include '" + p.name + "'. ")
		}
	}
	if msg.Len() > 0 {
		msg.WriteString("Re-examine the query-string parameters.")
		return a, &Error{CodeIncompleteSignature, msg.String()}
	}
	if e, ok := q["X-Amz-Expires"]; ok {
		n, err := strconv.ParseInt(e[0], 10, 64)
		if err != nil || n < 0 || n > maxPresignExpires {
			return a, &Error{CodeIncompleteSignature,
				"X-Amz-Expires must be a whole number of seconds from 0 to 604800 (a week), not '" + e[0] + "'."}
		}
		a.expires = n
	}
	return a, nil
}

// parseAmzDate parses X-Amz-Date, YYYYMMDDTHHMMSSZ, by hand: time.Parse would also take
// a fraction of a second, which AWS refuses, and this allocates nothing.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(amzDateLayout) || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	var f [6]int
	for i, span := range [6][2]int{{0, 4}, {4, 6}, {6, 8}, {9, 11}, {11, 13}, {13, 15}} {
		for _, c := range []byte(s[span[0]:span[1]]) {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			f[i] = f[i]*10 + int(c-'0')
		}
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, time.UTC)
	// time.Date normalizes 31 April to 1 May and 24:00 to the next day; a
	// date that changed on the way is not a date.
	if t.Year() != f[0] || int(t.Month()) != f[1] || t.Day() != f[2] ||
		t.Hour() != f[3] || t.Minute() != f[4] || t.Second() != f[5] {
		return time.Time{}, false
	}
	return t, true
}
