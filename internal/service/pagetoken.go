package service

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/swfapi"
)

// SWF's page tokens expire a day after they are handed out.
const pageTokenLifetime = 24 * time.Hour

// maxPageSize is both SWF's largest page and the size of a page when the
// caller gives no maximumPageSize (or 0).
const maxPageSize = 1000

// pageTokens makes and reads nextPageToken values. A token carries the
// position after the last item of its page and a digest of the query that
// made it, and is signed: a forged token, or one from another query, is
// refused rather than trusted.
type pageTokens struct {
	secret []byte
	clock  clock.Clock
}

// pagePosition is what a token says.
type pagePosition struct {
	Query  string   `json:"q"`
	After  []string `json:"a"`
	Issued int64    `json:"t"`
}

// make returns a token for the page after the item whose keys are after.
// query identifies the listing: the operation and every argument that
// selects or orders its items.
func (p *pageTokens) make(query string, after ...string) *string {
	body, _ := json.Marshal(pagePosition{Query: digest(query), After: after, Issued: p.clock.Now().Unix()})
	mac := p.sign(body)
	tok := base64.RawURLEncoding.EncodeToString(append(body, mac...))
	return &tok
}

// read returns the keys a token carries. A missing token means the first
// page.
func (p *pageTokens) read(query string, token *string) ([]string, error) {
	if token == nil || *token == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*token)
	if err != nil || len(raw) <= sha256.Size {
		return nil, invalidToken()
	}
	body, mac := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if !hmac.Equal(mac, p.sign(body)) {
		return nil, invalidToken()
	}
	var pos pagePosition
	if err := json.Unmarshal(body, &pos); err != nil || pos.Query != digest(query) {
		return nil, invalidToken()
	}
	if p.clock.Now().Sub(time.Unix(pos.Issued, 0)) > pageTokenLifetime {
		return nil, swfapi.NewFault(swfapi.CodeValidation, "Specified token has exceeded its maximum lifetime")
	}
	return pos.After, nil
}

func (p *pageTokens) sign(body []byte) []byte {
	m := hmac.New(sha256.New, p.secret)
	m.Write(body)
	return m.Sum(nil)
}

func digest(query string) string {
	sum := sha256.Sum256([]byte(query))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

func invalidToken() error {
	return swfapi.NewFault(swfapi.CodeValidation, "Invalid token")
}

// pageSize is the number of items a page holds for maximumPageSize.
func pageSize(maximum *int32) int {
	if maximum == nil || *maximum == 0 {
		return maxPageSize
	}
	return int(*maximum)
}

// queryKey joins the parts of a listing's identity without ambiguity.
func queryKey(parts ...string) string {
	b, _ := json.Marshal(parts)
	return string(b)
}
