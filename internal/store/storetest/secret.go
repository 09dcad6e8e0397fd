package storetest

import (
	"bytes"
	"sync"
	"testing"
)

func testSecret(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	secret := func(name string) []byte {
		t.Helper()
		s, err := e.s.Secret(ctx, name)
		if err != nil {
			t.Fatalf("Secret(%s): %v", name, err)
		}
		return s
	}
	a := secret("a")
	if len(a) < 32 {
		t.Fatalf("secret has %d bytes, want at least 32", len(a))
	}
	if bytes.Equal(a, make([]byte, len(a))) {
		t.Fatal("secret is all zeros")
	}
	keep := bytes.Clone(a)
	a[0] ^= 0xff // the caller owns what it got
	if got := secret("a"); !bytes.Equal(got, keep) {
		t.Error("second call gave another secret")
	}
	if got := secret("b"); bytes.Equal(got, keep) {
		t.Error("two names share a secret")
	}

	// First use from many goroutines at once still makes one secret.
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen [][]byte
	)
	for range 8 {
		wg.Go(func() {
			s, err := e.s.Secret(ctx, "c")
			if err != nil {
				t.Errorf("Secret: %v", err)
				return
			}
			mu.Lock()
			seen = append(seen, s)
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, s := range seen {
		if !bytes.Equal(s, seen[0]) {
			t.Fatal("concurrent first calls gave different secrets")
		}
	}

	e.reopen()
	if got := secret("a"); !bytes.Equal(got, keep) {
		t.Error("secret changed across a restart")
	}
	if got := secret("c"); !bytes.Equal(got, seen[0]) {
		t.Error("secret changed across a restart")
	}
}
