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
	// macs keeps keyed HMAC states to reuse: a token is checked on every
	// heartbeat, and keying a fresh HMAC (two SHA-256 states and the
	// key's padding) cost more than checking the token itself.
	macs sync.Pool
}

// NewSigner returns a Signer using secret, which must stay the same across
// restarts for tokens to outlive them.
func NewSigner(secret []byte) *Signer {
	s := &Signer{secret: secret}
	s.macs.New = func() any { return hmac.New(sha256.New, s.secret) }
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
	buf = append(buf, s.mac(buf)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// Decode checks a token's signature and returns what it says.
func (s *Signer) Decode(text string) (Token, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(text)
	if err != nil || len(raw) < 2+2+macSize {
		return Token{}, ErrInvalid
	}
	body, mac := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	if !hmac.Equal(mac, s.mac(body)) || (body[0] != version && body[0] != 1) {
		return Token{}, ErrInvalid
	}
	t := Token{Kind: body[1]}
	rest := body[2:]
	scheduled, n := binary.Uvarint(rest)
	if n <= 0 {
		return Token{}, ErrInvalid
	}
	rest = rest[n:]
	started, n := binary.Uvarint(rest)
	if n <= 0 {
		return Token{}, ErrInvalid
	}
	rest = rest[n:]
	if body[0] >= 2 {
		size, n := binary.Uvarint(rest)
		if n <= 0 || size > uint64(len(rest)-n) {
			return Token{}, ErrInvalid
		}
		t.Domain = string(rest[n : n+int(size)])
		rest = rest[n+int(size):]
	}
	t.ScheduledEventID, t.StartedEventID, t.RunID = int64(scheduled), int64(started), string(rest)
	return t, nil
}

// mac returns body's MAC.
func (s *Signer) mac(body []byte) []byte {
	return s.sum(make([]byte, 0, sha256.Size), body)
}

// sum appends body's MAC to dst, with a pooled HMAC state.
func (s *Signer) sum(dst, body []byte) []byte {
	m := s.macs.Get().(hash.Hash)
	m.Reset()
	m.Write(body)
	dst = m.Sum(dst)[:len(dst)+macSize]
	s.macs.Put(m)
	return dst
}
