package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"sync"
)

// maxCachedKeys bounds the signing-key cache. A key is 32 bytes; with the
// secret and date that name it an entry is well under 200, so the cache
// stays under a quarter of a megabyte however many keys sign requests.
const maxCachedKeys = 1024

// keyCache keeps the signing keys of one region and service, so that each
// secret's key is derived once a day rather than on every request: deriving
// takes four HMACs, more than checking a signature does.
//
// Only keys of requests that passed the date and scope checks are derived,
// and those dates lie within 15 minutes of now, so at any time at most two
// dates (either side of midnight UTC) are in use. When a newer date comes,
// the keys of every date before the previous one go. If there are still too
// many keys (more than maxCachedKeys secrets in use at once), arbitrary
// ones go: a dropped key is only derived again.
type keyCache struct {
	mu     sync.RWMutex // guards keys and latest
	keys   map[keyName][32]byte
	latest string // the newest date among keys, YYYYMMDD
}

// keyName is what a signing key is derived from, besides the region and
// service the cache belongs to. It holds the secret itself rather than
// the access key id: a key whose secret changes gets a new entry, never
// the old secret's key.
type keyName struct {
	secret string
	date   string // YYYYMMDD
}

// signingKey returns the signing key of secret on date (YYYYMMDD) for the
// region and service, from the cache or derived.
func (c *keyCache) signingKey(secret, date, region, service string) [32]byte {
	name := keyName{secret, date}
	c.mu.RLock()
	k, ok := c.keys[name]
	c.mu.RUnlock()
	if ok {
		return k
	}
	k = deriveKey(secret, date, region, service)
	// The date is a slice of the request's Authorization header; a copy
	// keeps the cache from holding the whole header.
	name.date = strings.Clone(date)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil {
		c.keys = make(map[keyName][32]byte)
	}
	if date > c.latest {
		// Dates are YYYYMMDD, so they compare as strings.
		for n := range c.keys {
			if n.date < c.latest {
				delete(c.keys, n)
			}
		}
		c.latest = name.date
	}
	for n := range c.keys {
		if len(c.keys) < maxCachedKeys {
			break
		}
		delete(c.keys, n)
	}
	c.keys[name] = k
	return k
}

// deriveKey is SigV4's signing key:
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveKey(secret, date, region, service string) [32]byte {
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+secret), date)
	k = mac(k, region)
	k = mac(k, service)
	k = mac(k, terminator)
	return [32]byte(k)
}

// The HMAC pads of RFC 2104.
const (
	ipad = 0x36
	opad = 0x5c
)

// hmacSign computes HMAC-SHA256 with a 32-byte key over the message that
// follows the first sha256.BlockSize bytes of buf, which it overwrites with
// the inner pad. It is RFC 2104's HMAC written out with sha256.Sum256, so
// that checking a signature allocates nothing (crypto/hmac allocates its
// two hash states on every use). Tests hold it to crypto/hmac.
func hmacSign(key *[32]byte, buf []byte) [32]byte {
	pad := buf[:sha256.BlockSize]
	for i := range pad {
		pad[i] = ipad
	}
	for i, k := range key {
		pad[i] ^= k
	}
	inner := sha256.Sum256(buf)
	var outer [sha256.BlockSize + sha256.Size]byte
	for i := range sha256.BlockSize {
		outer[i] = opad
	}
	for i, k := range key {
		outer[i] ^= k
	}
	copy(outer[sha256.BlockSize:], inner[:])
	return sha256.Sum256(outer[:])
}
