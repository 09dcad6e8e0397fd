package sigv4

import (
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"
)

// parseAmzDate agrees with time.Parse on every input both read as the
// basic format: whatever parseAmzDate accepts, time.Parse reads as the same
// instant, and whatever time.Parse accepts without a fraction of a second
// (which AWS refuses, and time.Parse takes even when the layout has none),
// parseAmzDate accepts.
func FuzzParseAmzDate(f *testing.F) {
	for _, s := range []string{
		"20150830T123600Z", "20240229T235959Z", "20230229T000000Z", "20150830T240000Z",
		"00000101T000000Z", "99991231T235959Z", "20150830T123600.5Z", "2015083aT123600Z",
		"+0150830T123600Z", "20150830t123600z", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseAmzDate(s)
		want, err := time.Parse(amzDateLayout, s)
		if ok {
			if err != nil {
				t.Fatalf("parseAmzDate(%q) = %v; time.Parse: %v", s, got, err)
			}
			if !got.Equal(want) || got.Location() != time.UTC {
				t.Fatalf("parseAmzDate(%q) = %v; time.Parse %v", s, got, want)
			}
			return
		}
		if err == nil && len(s) == len(amzDateLayout) {
			t.Fatalf("parseAmzDate(%q) refused; time.Parse = %v", s, want)
		}
	})
}

// The table-driven hex decoding accepts exactly what encoding/hex writes:
// lower-case digits, the right length.
func TestDecodeHex(t *testing.T) {
	var sum [32]byte
	for i := range sum {
		sum[i] = byte(i*37 + 11)
	}
	good := hex.EncodeToString(sum[:])
	var got [32]byte
	if !decodeHex(got[:], good) || got != sum {
		t.Fatalf("decodeHex(%q) = %x", good, got)
	}
	for _, bad := range []string{
		"", good[:63], good + "0", strings.ToUpper(good), good[:62] + "g0", good[:62] + "0G",
		"\xff" + good[1:], good[:10] + " " + good[11:], good[:63] + "\x00",
	} {
		if decodeHex(got[:], bad) {
			t.Errorf("decodeHex(%q) accepted", bad)
		}
	}
}

// Every header name knownKey names outright is what canonicalKey makes of
// it, so the shortcut finds the header the long way would.
func TestKnownKeysCanonical(t *testing.T) {
	for _, name := range []string{
		"content-type", "content-length", "x-amz-date", "x-amz-target", "x-amz-security-token",
		"x-amz-content-sha256", "amz-sdk-invocation-id", "amz-sdk-request", "x-amz-user-agent", "user-agent",
	} {
		k, ok := canonicalKey(nil, name)
		if !ok || knownKey(name) != string(k) || http.CanonicalHeaderKey(name) != string(k) {
			t.Errorf("%s: knownKey %q, canonicalKey %q, net/http %q", name, knownKey(name), k, http.CanonicalHeaderKey(name))
		}
	}
	for _, name := range []string{"Content-Type", "X-AMZ-DATE", "host", "x-amz-date2", ""} {
		if k := knownKey(name); k != "" {
			t.Errorf("knownKey(%q) = %q; want none", name, k)
		}
	}
}

// A rotated secret gets its own signing key from the cache: the key of the
// old secret never signs for the new one, on the same day and access key.
func TestKeyCacheRotatedSecret(t *testing.T) {
	req, body := heartbeatRequest(t, "")
	v := NewVerifier(testRegion, "swf")
	id, err := v.Verify(req, body, t0, plainLookup)
	wantOK(t, id, err)
	rotated := lookupOf(Credential{SecretAccessKey: testSecret + "-rotated"})
	id, err = v.Verify(req, body, t0, rotated)
	wantErr(t, id, err, CodeInvalidSignature, msgSignatureMismatch)
	// And back: the old secret's key is still right for the old secret.
	id, err = v.Verify(req, body, t0, plainLookup)
	wantOK(t, id, err)
}
