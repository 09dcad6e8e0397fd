package console

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/clock"
)

// FuzzVerifySession feeds the session check cookie values an attacker
// controls: none may panic, and none but a cookie the console signed may
// open a session. Appending to, cutting or changing one byte of a real
// cookie must not yield one either.
func FuzzVerifySession(f *testing.F) {
	file := filepath.Join(f.TempDir(), "p.json")
	if err := os.WriteFile(file, []byte(`{"principals": [{"name": "ops", "accessKeyId": "AKIDCONSOLEOPS001", "secretAccessKey": "s1", "policies": []}]}`), 0o600); err != nil {
		f.Fatal(err)
	}
	keys, err := auth.OpenKeyring(file, "123456789012")
	if err != nil {
		f.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c := &Console{cfg: Config{Keys: keys, SessionKey: []byte("k"), SessionTTL: time.Hour, Clock: clk}}
	real := c.newSession("AKIDCONSOLEOPS001", "s1", clk.Now())
	f.Add(real, 0, byte(0))
	f.Add(real, len(real)-1, byte('A'))
	f.Add("QUtJRENPTlNPTEVPUFMwMDE.99999999999.bm9uY2U.mac", 3, byte('.'))
	f.Add("...", 0, byte(0))
	f.Add("", 0, byte(0))
	f.Fuzz(func(t *testing.T, v string, at int, b byte) {
		// Only a cookie whose MAC is the console's own over exactly the
		// rest of the cookie may open a session (the fuzzer's processes
		// each make their own real cookie, with nonces of their own).
		if p, ok := c.verifySession(v, clk.Now()); ok {
			i := strings.LastIndexByte(v, '.')
			if p.Name != "ops" || !strings.HasPrefix(v, "QUtJRENPTlNPTEVPUFMwMDE.") || v[i+1:] != c.sessionMAC(v[:i], "s1") {
				t.Fatalf("%q opened a session as %v", v, p)
			}
		}
		// The real cookie, changed at one place.
		if at < 0 {
			at = -at
		}
		at %= len(real) + 1
		for _, w := range []string{real[:at] + string(b) + real[at:], real[:at]} {
			if _, ok := c.verifySession(w, clk.Now()); ok && w != real {
				t.Fatalf("a changed cookie %q opened a session", w)
			}
		}
		if at < len(real) && real[at] != b {
			w := real[:at] + string(b) + real[at+1:]
			if _, ok := c.verifySession(w, clk.Now()); ok {
				t.Fatalf("a cookie changed at %d opened a session", at)
			}
		}
	})
}
