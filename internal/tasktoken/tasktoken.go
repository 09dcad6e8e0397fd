// Package tasktoken makes and reads the task tokens handed to pollers. A
// token names exactly one attempt of one task — the run, the event that
// scheduled the task, and the event that started it — and the run's domain,
// and is signed, so a worker cannot forge one, turn one task's token into
// another's, or pass one off as another domain's. The domain is what
// authorization checks a call that carries only a token against.
package tasktoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"slices"
	"sync"
)

// Kinds of task a token is for.
const (
	Decision byte = 'd'
	Activity byte = 'a'
)

// Token is what a task token says.
type Token struct {
	Kind byte
	// Domain is the run's domain; empty in tokens made before tokens
	// carried it, which authorization treats as no domain in particular.
	Domain           string
	RunID            string
	ScheduledEventID int64
	StartedEventID   int64
}

// ErrInvalid is a token that was not made by this service, or was altered.
var ErrInvalid = errors.New("tasktoken: invalid")

const (
	// version 2 added the domain; version 1 tokens, handed out before an
	// upgrade, stay valid until their task ends.
	version = 2
	macSize = 16 // 128 bits of HMAC-SHA256 is ample against forgery
)

// Signer makes and checks tokens with one secret.
type Signer struct {
	secret []byte
	// states keeps keyed HMAC states, with room for a decoded token and
	// its MAC, to reuse: a token is checked on every heartbeat (twice:
	// once to authorize the call, once to serve it), and keying a fresh
	// HMAC (two SHA-256 states and the key's padding) and allocating the
	// buffers cost more than checking the token itself.
	states sync.Pool
}

// state is one pooled HMAC with its scratch space.
type state struct {
	mac hash.Hash
	sum [sha256.Size]byte
	// text and raw hold a token's text and its decoding: base64 decodes
	// only from a []byte, and converting the string would allocate.
	text, raw []byte
}

// maxPooledToken bounds the scratch space a pooled state keeps; SWF's task
// tokens are at most 1024 characters, so only a forged token is longer,
// and the state that read it is dropped rather than kept that large.
const maxPooledToken = 1024

// NewSigner returns a Signer using secret, which must stay the same across
// restarts for tokens to outlive them.
func NewSigner(secret []byte) *Signer {
	s := &Signer{secret: secret}
	s.states.New = func() any { return &state{mac: hmac.New(sha256.New, s.secret)} }
	return s
}

// Encode returns the token's text form: URL-safe base64 of a compact binary
// encoding and its MAC, far below SWF's 1024-character limit.
func (s *Signer) Encode(t Token) string {
	buf := make([]byte, 0, 2+3*binary.MaxVarintLen64+len(t.Domain)+len(t.RunID)+macSize)
	buf = append(buf, version, t.Kind)
	buf = binary.AppendUvarint(buf, uint64(t.ScheduledEventID))
	buf = binary.AppendUvarint(buf, uint64(t.StartedEventID))
	buf = binary.AppendUvarint(buf, uint64(len(t.Domain)))
	buf = append(buf, t.Domain...)
	buf = append(buf, t.RunID...)
	buf = s.appendMAC(buf)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// Decode checks a token's signature and returns what it says.
func (s *Signer) Decode(text string) (Token, error) {
	st := s.states.Get().(*state)
	t, ok := st.decode(text)
	if len(text) <= maxPooledToken {
		s.states.Put(st)
	}
	if !ok {
		return Token{}, ErrInvalid
	}
	return t, nil
}

// decode is Decode with st's HMAC and buffers. The strings it returns own
// their bytes: st's buffers are reused once it returns.
func (st *state) decode(text string) (Token, bool) {
	enc := base64.RawURLEncoding.Strict()
	st.text = append(st.text[:0], text...)
	st.raw = slices.Grow(st.raw[:0], enc.DecodedLen(len(text)))[:enc.DecodedLen(len(text))]
	n, err := enc.Decode(st.raw, st.text)
	if err != nil || n < 2+2+macSize {
		return Token{}, false
	}
	raw := st.raw[:n]
	body, mac := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	st.mac.Reset()
	st.mac.Write(body)
	if !hmac.Equal(mac, st.mac.Sum(st.sum[:0])[:macSize]) || (body[0] != version && body[0] != 1) {
		return Token{}, false
	}
	t := Token{Kind: body[1]}
	rest := body[2:]
	scheduled, n := binary.Uvarint(rest)
	if n <= 0 {
		return Token{}, false
	}
	rest = rest[n:]
	started, n := binary.Uvarint(rest)
	if n <= 0 {
		return Token{}, false
	}
	rest = rest[n:]
	domain := 0
	if body[0] >= 2 {
		size, n := binary.Uvarint(rest)
		if n <= 0 || size > uint64(len(rest)-n) {
			return Token{}, false
		}
		rest, domain = rest[n:], int(size)
	}
	// The domain and the run id lie side by side: one string holds both,
	// so a token costs one allocation.
	names := string(rest)
	t.Domain, t.RunID = names[:domain], names[domain:]
	t.ScheduledEventID, t.StartedEventID = int64(scheduled), int64(started)
	return t, true
}

// appendMAC appends body's MAC to body.
func (s *Signer) appendMAC(body []byte) []byte {
	st := s.states.Get().(*state)
	st.mac.Reset()
	st.mac.Write(body)
	body = append(body, st.mac.Sum(st.sum[:0])[:macSize]...)
	s.states.Put(st)
	return body
}

// mac returns body's MAC.
func (s *Signer) mac(body []byte) []byte {
	return s.appendMAC(slices.Clip(body))[len(body):]
}
