package tasktoken

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestRoundTripAndForgery(t *testing.T) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	tok := Token{Kind: Activity, Domain: "orders", RunID: "22X56OQhwfy+AtGx1iSo3HX51AK2DdtKzfUnU+RQElbms=", ScheduledEventID: 5, StartedEventID: 1 << 40}
	text := s.Encode(tok)
	if len(text) > 1024 {
		t.Fatalf("token of %d characters", len(text))
	}
	got, err := s.Decode(text)
	if err != nil || got != tok {
		t.Fatalf("Decode = %+v, %v; want %+v", got, err, tok)
	}
	other := NewSigner([]byte("another secret of thirty-two byt"))
	bad := []string{
		"", "x", strings.Repeat("A", 40), other.Encode(tok),
		text[:len(text)-1], text[:len(text)-2] + "AA", text + "A",
	}
	// Altering any one character breaks the token.
	for i := range text {
		b := []byte(text)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		bad = append(bad, string(b))
	}
	for _, b := range bad {
		if got, err := s.Decode(b); err == nil && got == tok {
			t.Errorf("forged token %q accepted", b)
		} else if err == nil {
			t.Errorf("altered token %q decoded as %+v", b, got)
		}
	}
}

// A token made before tokens carried their domain still decodes, with no
// domain.
func TestVersion1Tokens(t *testing.T) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	body := []byte{1, Activity, 5, 7}
	body = append(body, "run-1"...)
	text := base64.RawURLEncoding.EncodeToString(append(body, s.mac(body)...))
	got, err := s.Decode(text)
	want := Token{Kind: Activity, RunID: "run-1", ScheduledEventID: 5, StartedEventID: 7}
	if err != nil || got != want {
		t.Fatalf("Decode = %+v, %v; want %+v", got, err, want)
	}
	// A domain as long as SWF allows keeps the token within its limit.
	long := Token{Kind: Decision, Domain: strings.Repeat("d", 256), RunID: strings.Repeat("r", 64), ScheduledEventID: 1 << 62, StartedEventID: 1 << 62}
	if text := s.Encode(long); len(text) > 1024 {
		t.Fatalf("token of %d characters", len(text))
	} else if got, err := s.Decode(text); err != nil || got != long {
		t.Fatalf("long token: %+v, %v", got, err)
	}
}

func FuzzDecode(f *testing.F) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	f.Add(s.Encode(Token{Kind: Decision, Domain: "d", RunID: "r", ScheduledEventID: 2, StartedEventID: 3}))
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		if tok, err := s.Decode(text); err == nil {
			if s.Encode(tok) != text {
				t.Fatalf("%q decoded but does not re-encode", text)
			}
		}
	})
}

// BenchmarkDecode is the check every token-carrying call (a heartbeat)
// pays.
func BenchmarkDecode(b *testing.B) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	text := s.Encode(Token{Kind: Activity, Domain: "orders", RunID: "22Xq4dGzYl0J8YpTqX4JH9V3pDkqCgqk2nHtHkqV0sE=", ScheduledEventID: 5, StartedEventID: 6})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Decode(text); err != nil {
			b.Fatal(err)
		}
	}
}
