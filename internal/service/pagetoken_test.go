package service

import (
	"errors"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/swfapi"
)

// FuzzPageToken: a nextPageToken is whatever the caller sends. Reading any
// text must not panic and must answer either a position or SWF's
// ValidationException; a token made for a query reads back as the keys it
// was made with, and as nothing else: not under another query, not cut
// short, not with a byte changed.
func FuzzPageToken(f *testing.F) {
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	p := &pageTokens{secret: []byte("secret"), clock: clk}
	f.Add("q", "k1", "k2", "", 0, byte('x'))
	f.Add(`["ListOpenWorkflowExecutions","d"]`, "2026-01-01T00:00:00Z", "run", "eyJxIjoiIiwiYSI6W119", 7, byte(0))
	f.Add("", "", "", "!!!", -3, byte('A'))
	f.Fuzz(func(t *testing.T, query, a, b, text string, at int, c byte) {
		check := func(tok string) ([]string, bool) {
			keys, err := p.read(query, &tok)
			if err != nil {
				var fault *swfapi.Fault
				if !errors.As(err, &fault) || fault.Code != swfapi.CodeValidation {
					t.Fatalf("token %q: %v, not a ValidationException", tok, err)
				}
				return nil, false
			}
			return keys, true
		}
		check(text)
		if !utf8.ValidString(a) || !utf8.ValidString(b) {
			// Keys are names and ids as stored, which the request decoder
			// has already made valid UTF-8.
			return
		}
		tok := *p.make(query, a, b)
		if keys, ok := check(tok); !ok || !slices.Equal(keys, []string{a, b}) {
			t.Fatalf("token for %q, %q read back as %q", a, b, keys)
		}
		if _, err := p.read(query+"x", &tok); err == nil {
			t.Fatal("a token was read under another query")
		}
		if at < 0 {
			at = -at
		}
		at %= len(tok)
		if _, ok := check(tok[:at]); ok && at > 0 {
			t.Fatalf("a token cut at %d was read", at)
		}
		if tok[at] != c {
			changed := tok[:at] + string(c) + tok[at+1:]
			if keys, ok := check(changed); ok && !slices.Equal(keys, []string{a, b}) {
				t.Fatalf("a changed token read as %q", keys)
			}
		}
	})
}
