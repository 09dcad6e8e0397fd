package auth

import (
	"testing"
	"time"
)

func TestCheckSecret(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	set, err := ParsePrincipals([]byte(`{"principals": [
		{"name": "ops", "accessKeyId": "AKIDCHECKSECRET01", "secretAccessKey": "right"},
		{"name": "temp", "accessKeyId": "ASIACHECKSECRET01", "secretAccessKey": "t", "sessionToken": "tok", "expires": "2026-01-01T01:00:00Z"}]}`), "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key, secret, token string
		at                 time.Time
		ok                 bool
	}{
		{"AKIDCHECKSECRET01", "right", "", now, true},
		{"AKIDCHECKSECRET01", "wrong", "", now, false},
		{"AKIDCHECKSECRET01", "right", "extra", now, false},
		{"AKIDUNKNOWNKEY001", "right", "", now, false},
		{"ASIACHECKSECRET01", "t", "tok", now, true},
		{"ASIACHECKSECRET01", "t", "", now, false},
		{"ASIACHECKSECRET01", "t", "tok", now.Add(time.Hour), false}, // expired
	} {
		if p, ok := set.CheckSecret(c.key, c.secret, c.token, c.at); ok != c.ok || ok && p.AccessKeyID != c.key {
			t.Errorf("CheckSecret(%s, %s, %q, %v) = %v, %v", c.key, c.secret, c.token, c.at, p, ok)
		}
	}
}
