package sigv4

import (
	"cmp"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// appendCanonicalRequest appends the canonical request of r to b, as SigV4
// defines it:
//
//	method \n canonical URI \n canonical query \n canonical headers \n signed headers \n payload hash
//
// It reports false when the query string cannot be decoded: a request whose
// query a client could not have signed the way the server reads it fails as
// a wrong signature.
func appendCanonicalRequest(b []byte, r *http.Request, a *auth, bodyHash *[32]byte) ([]byte, bool) {
	b = append(b, r.Method...)
	b = append(b, '\n')

	// The path as received, URI-encoded once more: for every service but
	// S3 the SDKs encode the already-encoded path again (so a space, sent
	// as %20, is signed as %2520). Like aws-sdk-go-v2, and unlike the
	// specification's optional normalization, dot segments and repeated
	// slashes are kept: SWF is only ever called on "/".
	path := ""
	rawQuery := ""
	if r.URL != nil {
		path, rawQuery = r.URL.EscapedPath(), r.URL.RawQuery
	}
	if path == "" {
		path = "/"
	}
	b = appendEscaped(b, path, true)
	b = append(b, '\n')

	b, ok := appendCanonicalQuery(b, rawQuery, a.presigned)
	if !ok {
		return b, false
	}
	b = append(b, '\n')

	// The signed headers in the order and case the client listed them: a
	// client that listed them otherwise than sorted and lowercase signed
	// that list, and its signature only matches the same.
	rest := a.signedHeaders
	for {
		name, more, found := cutName(rest)
		b = append(b, name...)
		b = append(b, ':')
		b = appendHeaderValue(b, r, name)
		b = append(b, '\n')
		if !found {
			break
		}
		rest = more
	}
	b = append(b, '\n')
	b = append(b, a.signedHeaders...)
	b = append(b, '\n')

	// The hash of the body actually received, whatever X-Amz-Content-Sha256
	// claims: for a JSON service the body is always signed, so a body
	// changed after signing, or a header that lies about it, fails as a
	// wrong signature.
	b = hex.AppendEncode(b, bodyHash[:])
	return b, true
}

// appendCanonicalQuery appends the canonical query string: every parameter
// decoded, then encoded the SigV4 way (RFC 3986, space as %20), sorted by
// encoded name and then value, a parameter without a value given "=". A
// presigned request's own X-Amz-Signature is left out, as it cannot sign
// itself. Requests to SWF have no query string, so this path may allocate.
func appendCanonicalQuery(b []byte, raw string, presigned bool) ([]byte, bool) {
	if raw == "" {
		return b, true
	}
	type param struct{ key, value string }
	var params []param
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return b, false
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return b, false
		}
		if presigned && key == "X-Amz-Signature" {
			continue
		}
		params = append(params, param{escape(key), escape(value)})
	}
	slices.SortFunc(params, func(x, y param) int {
		return cmp.Or(strings.Compare(x.key, y.key), strings.Compare(x.value, y.value))
	})
	for i, p := range params {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p.key...)
		b = append(b, '=')
		b = append(b, p.value...)
	}
	return b, true
}

func escape(s string) string { return string(appendEscaped(nil, s, false)) }

// appendEscaped appends s URI-encoded as SigV4 wants: every byte but the
// unreserved ones (A-Z a-z 0-9 - _ . ~), and '/' when keepSlash, becomes
// %XX in upper-case hex.
func appendEscaped(b []byte, s string, keepSlash bool) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (keepSlash && c == '/') {
			b = append(b, c)
		} else {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return b
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// appendHeaderValue appends the canonical value of the header name: its
// values trimmed, inner runs of spaces made one, joined by commas. Go's
// server takes Host out of the header map into r.Host, and may have read
// Content-Length into r.ContentLength only, so those two come from there.
func appendHeaderValue(b []byte, r *http.Request, name string) []byte {
	if strings.EqualFold(name, "host") {
		host := r.Host
		if host == "" && r.URL != nil {
			host = r.URL.Host
		}
		return appendTrimmed(b, host)
	}
	values := headerValues(r.Header, name)
	if values == nil && strings.EqualFold(name, "content-length") && r.ContentLength >= 0 {
		return strconv.AppendInt(b, r.ContentLength, 10)
	}
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmed(b, v)
	}
	return b
}

// headerValues finds the values of a header named in any case. The name is
// put in Go's canonical form on the stack, so the look-up allocates nothing;
// a name Go would not have canonicalized, or a map built by hand with other
// keys, is found by comparing every key.
func headerValues(h http.Header, name string) []string {
	if key := knownKey(name); key != "" {
		if v, ok := h[key]; ok {
			return v
		}
	} else {
		var buf [64]byte
		if key, ok := canonicalKey(buf[:0], name); ok {
			if v, ok := h[string(key)]; ok {
				return v
			}
		}
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// canonicalKey appends name in the form net/textproto gives header names:
// the first letter and every letter after a hyphen upper case, the others
// lower. It reports false for a name textproto would leave as it is (one
// holding a byte that is not a token character) and for an empty one.
func canonicalKey(b []byte, name string) ([]byte, bool) {
	if name == "" {
		return b, false
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
		case 'A' <= c && c <= 'Z':
			if !upper {
				c += 'a' - 'A'
			}
		case '0' <= c && c <= '9' || c == '-':
		case strings.IndexByte("!#$%&'*+.^_`|~", c) < 0:
			// Not a token character: textproto keeps such names as sent.
			return b, false
		}
		b = append(b, c)
		upper = c == '-'
	}
	return b, true
}

// appendTrimmed appends v without leading and trailing white space and
// with each run of spaces inside made one space.
func appendTrimmed(b []byte, v string) []byte {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		return append(b, v...)
	}
	for i := 0; i < len(v); i++ {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		b = append(b, v[i])
	}
	return b
}

// cutName cuts the first name off a signed-headers list. strings.Cut with a
// one-byte separator takes the general substring search; IndexByte is
// several times quicker on names this short.
func cutName(list string) (name, rest string, found bool) {
	if i := strings.IndexByte(list, ';'); i >= 0 {
		return list[:i], list[i+1:], true
	}
	return list, "", false
}

// headerGet is r.Header.Get for a key already in canonical form, without
// Get's checking and canonicalizing of the key on every request.
func headerGet(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// knownKey is the canonical form of the header names the SDKs sign, for
// names written as the SDKs write them (lower case); "" for any other.
// Naming them outright spares the byte-by-byte canonicalization of most
// of a request's signed headers.
func knownKey(name string) string {
	switch name {
	case "content-type":
		return "Content-Type"
	case "content-length":
		return "Content-Length"
	case "x-amz-date":
		return "X-Amz-Date"
	case "x-amz-target":
		return "X-Amz-Target"
	case "x-amz-security-token":
		return "X-Amz-Security-Token"
	case "x-amz-content-sha256":
		return "X-Amz-Content-Sha256"
	case "amz-sdk-invocation-id":
		return "Amz-Sdk-Invocation-Id"
	case "amz-sdk-request":
		return "Amz-Sdk-Request"
	case "x-amz-user-agent":
		return "X-Amz-User-Agent"
	case "user-agent":
		return "User-Agent"
	}
	return ""
}
