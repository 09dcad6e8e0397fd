package console

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/auth"
)

// cookieName is the session cookie.
const cookieName = "openswf_console"

// A session cookie is "KEYID.EXPIRES.NONCE.MAC": the access key id it was
// opened with (empty under --auth none), when it ends (Unix seconds), a
// random nonce, and an HMAC-SHA256 under the console's key of all that and
// a digest of the principal's current secret. The principal is looked up in
// the keyring in force on every request, so a reload that removes the key
// or changes its secret ends its sessions at once.

// session returns the request's session cookie value and its principal,
// opening an anonymous session under --auth none; ok is false when a login
// is needed.
func (c *Console) session(w http.ResponseWriter, r *http.Request) (string, *auth.Principal, bool) {
	now := c.cfg.Clock.Now()
	if ck, err := r.Cookie(cookieName); err == nil {
		if p, ok := c.verifySession(ck.Value, now); ok {
			return ck.Value, p, true
		}
	}
	if c.cfg.Keys != nil {
		return "", nil, false
	}
	// --auth none: no login, but a session all the same, so that forms
	// carry a CSRF token tied to this browser.
	v := c.newSession("", "", now)
	c.setCookie(w, v, now.Add(c.cfg.SessionTTL))
	return v, c.cfg.Anonymous, true
}

func (c *Console) newSession(keyID, secret string, now time.Time) string {
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	body := base64.RawURLEncoding.EncodeToString([]byte(keyID)) + "." +
		strconv.FormatInt(now.Add(c.cfg.SessionTTL).Unix(), 10) + "." +
		base64.RawURLEncoding.EncodeToString(nonce)
	return body + "." + c.sessionMAC(body, secret)
}

func (c *Console) sessionMAC(body, secret string) string {
	sum := sha256.Sum256([]byte(secret))
	m := hmac.New(sha256.New, c.cfg.SessionKey)
	m.Write([]byte("session\x00"))
	m.Write([]byte(body))
	m.Write([]byte{0})
	m.Write(sum[:])
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verifySession checks a cookie's signature and expiry and resolves its
// principal from the keys in force.
func (c *Console) verifySession(v string, now time.Time) (*auth.Principal, bool) {
	i := strings.LastIndexByte(v, '.')
	if i < 0 {
		return nil, false
	}
	body, mac := v[:i], v[i+1:]
	parts := strings.Split(body, ".")
	if len(parts) != 3 {
		return nil, false
	}
	key, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || now.Unix() >= exp {
		return nil, false
	}
	var p *auth.Principal
	secret := ""
	if c.cfg.Keys == nil {
		if len(key) != 0 {
			return nil, false
		}
		p = c.cfg.Anonymous
	} else {
		pr, ok := c.cfg.Keys.Principals().Lookup(string(key))
		if !ok {
			return nil, false
		}
		if pr.SessionToken != "" && !pr.Expires.IsZero() && !now.Before(pr.Expires) {
			return nil, false
		}
		p, secret = pr, pr.SecretAccessKey
	}
	if !hmac.Equal([]byte(mac), []byte(c.sessionMAC(body, secret))) {
		return nil, false
	}
	return p, true
}

func (c *Console) setCookie(w http.ResponseWriter, v string, exp time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: v, Path: Prefix, Expires: exp,
		HttpOnly: true, Secure: c.cfg.Secure, SameSite: http.SameSiteStrictMode,
	})
}

// csrfToken is the token every form of a session carries: an HMAC of the
// session, so a page of another site cannot know it.
func (c *Console) csrfToken(sess string) string {
	m := hmac.New(sha256.New, c.cfg.SessionKey)
	m.Write([]byte("csrf\x00"))
	m.Write([]byte(sess))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func (c *Console) checkCSRF(sess, token string) bool {
	return sess != "" && hmac.Equal([]byte(token), []byte(c.csrfToken(sess)))
}

// loginView is the login page's data.
type loginView struct {
	Next  string
	KeyID string
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Keys == nil {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	v := &view{Title: "Log in", Now: c.cfg.Clock.Now(), Data: loginView{Next: safeNext(r.URL.Query().Get("next"))}}
	c.render(w, http.StatusOK, "login", v, time.Now())
}

// login checks an access key id and its secret against the principals in
// force and opens a session. Failures look alike whatever was wrong.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Keys == nil {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	_ = r.ParseForm()
	now := c.cfg.Clock.Now()
	keyID := strings.TrimSpace(r.PostFormValue("accessKeyId"))
	next := safeNext(r.PostFormValue("next"))
	p, ok := c.cfg.Keys.Principals().CheckSecret(keyID, r.PostFormValue("secretAccessKey"), r.PostFormValue("sessionToken"), now)
	if !ok {
		c.cfg.Logger.Warn("console login refused", "accessKeyId", keyID, "remote", r.RemoteAddr)
		v := &view{Title: "Log in", Now: now, Error: "Unknown access key id, or wrong secret.", Data: loginView{Next: next, KeyID: keyID}}
		c.render(w, http.StatusUnauthorized, "login", v, time.Now())
		return
	}
	c.setCookie(w, c.newSession(p.AccessKeyID, p.SecretAccessKey, now), now.Add(c.cfg.SessionTTL))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if ck, err := r.Cookie(cookieName); err == nil && c.checkCSRF(ck.Value, r.PostFormValue("csrf")) {
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: Prefix, MaxAge: -1,
			HttpOnly: true, Secure: c.cfg.Secure, SameSite: http.SameSiteStrictMode})
	}
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
}

// safeNext keeps a post-login redirect inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return Prefix
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// getBuffer and putBuffer reuse render buffers: an execution page is
// several hundred KiB.
func (c *Console) getBuffer() *bytes.Buffer {
	b, _ := c.buffers.Get().(*bytes.Buffer)
	if b == nil {
		return new(bytes.Buffer)
	}
	b.Reset()
	return b
}

func (c *Console) putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 8<<20 {
		c.buffers.Put(b)
	}
}
