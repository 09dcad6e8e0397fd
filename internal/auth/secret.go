package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"time"
)

// CheckSecret returns the principal of accessKeyID when secret (and, for a
// principal with one, sessionToken, not expired at now) is its own: how the
// web console logs a person in, since a browser cannot sign requests. The
// comparisons take the same time whatever the input, and an unknown key
// costs the same as a wrong secret, so that timing tells nothing.
func (p *Principals) CheckSecret(accessKeyID, secret, sessionToken string, now time.Time) (*Principal, bool) {
	pr, found := p.Lookup(accessKeyID)
	want, wantToken := "", ""
	if found {
		want, wantToken = pr.SecretAccessKey, pr.SessionToken
	}
	// Hashing first makes the compared lengths equal.
	a, b := sha256.Sum256([]byte(secret)), sha256.Sum256([]byte(want))
	c, d := sha256.Sum256([]byte(sessionToken)), sha256.Sum256([]byte(wantToken))
	ok := subtle.ConstantTimeCompare(a[:], b[:]) & subtle.ConstantTimeCompare(c[:], d[:])
	if !found || ok != 1 {
		return nil, false
	}
	if pr.SessionToken != "" && !pr.Expires.IsZero() && !now.Before(pr.Expires) {
		return nil, false
	}
	return pr, true
}
