// Package tasktoken makes and reads the task tokens handed to pollers. A
// token names exactly one attempt of one task — the run, the event that
// scheduled the task, and the event that started it — and is signed, so a
// worker cannot forge one or turn one task's token into another's.
package tasktoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
)

// Kinds of task a token is for.
const (
	Decision byte = 'd'
	Activity byte = 'a'
)

// Token is what a task token says.
type Token struct {
	Kind             byte
	RunID            string
	ScheduledEventID int64
	StartedEventID   int64
}

// ErrInvalid is a token that was not made by this service, or was altered.
var ErrInvalid = errors.New("tasktoken: invalid")

const (
	version = 1
	macSize = 16 // 128 bits of HMAC-SHA256 is ample against forgery
)

// Signer makes and checks tokens with one secret.
type Signer struct {
	secret []byte
}

// NewSigner returns a Signer using secret, which must stay the same across
// restarts for tokens to outlive them.
func NewSigner(secret []byte) *Signer { return &Signer{secret: secret} }

// Encode returns the token's text form: URL-safe base64 of a compact binary
// encoding and its MAC, far below SWF's 1024-character limit.
func (s *Signer) Encode(t Token) string {
	buf := make([]byte, 0, 2+2*binary.MaxVarintLen64+len(t.RunID)+1+macSize)
	buf = append(buf, version, t.Kind)
	buf = binary.AppendUvarint(buf, uint64(t.ScheduledEventID))
	buf = binary.AppendUvarint(buf, uint64(t.StartedEventID))
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
	if !hmac.Equal(mac, s.mac(body)) || body[0] != version {
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
	t.ScheduledEventID, t.StartedEventID, t.RunID = int64(scheduled), int64(started), string(rest[n:])
	return t, nil
}

func (s *Signer) mac(body []byte) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write(body)
	return m.Sum(nil)[:macSize]
}
