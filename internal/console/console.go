// Package console is openswf's web console, served at /console/ on the API's
// listener: domains and types, executions with SWF's filters, an execution's
// timeline and history, its open activities' heartbeats and time left, the
// actions an operator takes on a run, and task lists with their pollers.
//
// Pages are HTML rendered on the server with html/template; the few assets
// (CSS, a little JavaScript) are embedded in the binary, so the console
// works offline and behind any proxy. Every read and action goes through the
// same swfapi.Handler the API answers with — the interceptor chain — so a
// person sees and does exactly what their principal may through the API;
// what SWF's operations do not tell (heartbeats, deadlines, pollers) is read
// from Extras only after the matching operation was allowed through it.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/service"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

//go:embed assets templates
var files embed.FS

// Prefix is the path the console is served under.
const Prefix = "/console/"

// Extras is what the console reads beside SWF's operations; the service
// implements it (internal/service/console.go). The console asks it only
// after the matching API call was allowed through Handler.
type Extras interface {
	ConsoleActivities(ctx context.Context, domain, workflowID, runID string) ([]service.ConsoleActivity, error)
	ConsoleTaskLists(ctx context.Context, domain string) ([]service.ConsoleTaskList, error)
	ConsoleTaskList(ctx context.Context, domain string, kind store.TaskKind, name string) (service.ConsoleTaskList, error)
}

// Config is what the console needs.
type Config struct {
	// Handler answers operations: the API's interceptor chain.
	Handler swfapi.Handler
	Extras  Extras
	// Keys, when set (--auth sigv4), are the principals people log in as
	// with an access key id and its secret; nil means no login, every
	// request under Anonymous (--auth none).
	Keys      *auth.Keyring
	Anonymous *auth.Principal
	// SessionKey signs session cookies and CSRF tokens; keeping it in the
	// store keeps sessions valid across restarts.
	SessionKey []byte
	// SessionTTL is how long a login lasts (0: 12 h).
	SessionTTL time.Duration
	// Secure marks cookies Secure: the listener speaks TLS.
	Secure bool
	Clock  clock.Clock
	Logger *slog.Logger
}

// Console is the console's HTTP handler.
type Console struct {
	cfg   Config
	pages map[string]*template.Template
	mux   *http.ServeMux
	// buffers holds render buffers for reuse.
	buffers sync.Pool
}

// New returns the console.
func New(cfg Config) (*Console, error) {
	if cfg.Handler == nil || cfg.Extras == nil || cfg.Clock == nil || len(cfg.SessionKey) == 0 {
		return nil, errors.New("console: Handler, Extras, Clock and SessionKey are required")
	}
	if cfg.Keys == nil && cfg.Anonymous == nil {
		return nil, errors.New("console: either Keys or Anonymous is required")
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Console{cfg: cfg, pages: map[string]*template.Template{}}
	if err := c.parse(); err != nil {
		return nil, err
	}
	assets, err := fs.Sub(files, "assets")
	if err != nil {
		return nil, err
	}
	m := http.NewServeMux()
	static := http.StripPrefix(Prefix+"assets/", http.FileServerFS(assets))
	m.Handle("GET "+Prefix+"assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Assets change only with the binary.
		w.Header().Set("Cache-Control", "public, max-age=3600")
		static.ServeHTTP(w, r)
	}))
	m.HandleFunc("GET "+Prefix+"login", c.loginPage)
	m.HandleFunc("POST "+Prefix+"login", c.login)
	m.HandleFunc("POST "+Prefix+"logout", c.logout)
	m.Handle("GET "+Prefix+"{$}", c.page(c.domains))
	m.Handle("GET "+Prefix+"domains/{domain}/{$}", c.page(c.domain))
	m.Handle("GET "+Prefix+"domains/{domain}/executions", c.page(c.executions))
	m.Handle("GET "+Prefix+"domains/{domain}/executions/{workflowId}/{runId}", c.page(c.execution))
	m.Handle("POST "+Prefix+"domains/{domain}/executions/{workflowId}/{runId}/{action}", c.page(c.action))
	m.Handle("GET "+Prefix+"domains/{domain}/tasklists", c.page(c.taskLists))
	c.mux = m
	return c, nil
}

// ServeHTTP answers a console request.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Nothing outside this origin: no CDN, no frames, no inline scripts.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	// A form posted from another site is refused outright, the login's
	// included (which no session token can protect): browsers send the
	// Origin of every POST.
	if r.Method == http.MethodPost {
		if o := r.Header.Get("Origin"); o != "" {
			if u, err := url.Parse(o); err != nil || u.Host != r.Host {
				http.Error(w, "Forbidden: this form was posted from another site.", http.StatusForbidden)
				return
			}
		}
	}
	c.mux.ServeHTTP(w, r)
}

// call runs one operation through the handler, validating its input against
// the model first as the API does (the console builds inputs from form
// values, which the model's rules must judge).
func (c *Console) call(ctx context.Context, op string, in any) (any, error) {
	if v, ok := in.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	return c.cfg.Handler(ctx, op, in)
}

// view is what every page template gets.
type view struct {
	Title   string
	Crumbs  []crumb
	User    string
	Login   bool // a logout button makes sense
	CSRF    string
	Flash   string
	Error   string
	Now     time.Time
	Elapsed string
	Data    any
}

type crumb struct{ Name, URL string }

// pageFunc renders one page: it fills v and names the template.
type pageFunc func(w http.ResponseWriter, r *http.Request, v *view) (tmpl string, err error)

// page wraps a page with the session (or a redirect to the login), the
// principal in the context, the CSRF check of POSTs, error pages, and the
// render time in a Server-Timing header.
func (c *Console) page(f pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now() // render time is wall time by nature
		sess, p, ok := c.session(w, r)
		if !ok {
			http.Redirect(w, r, Prefix+"login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		r = r.WithContext(auth.WithPrincipal(r.Context(), p))
		v := &view{User: p.Name, Login: c.cfg.Keys != nil, CSRF: c.csrfToken(sess), Now: c.cfg.Clock.Now()}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil || !c.checkCSRF(sess, r.PostFormValue("csrf")) {
				http.Error(w, "Forbidden: the form is stale or did not come from this console; reload the page and try again.", http.StatusForbidden)
				return
			}
		}
		tmpl, err := f(w, r, v)
		if tmpl == "" && err == nil {
			return // the page answered (a redirect)
		}
		status := http.StatusOK
		if err != nil {
			status = c.errorView(v, err)
			if tmpl == "" {
				tmpl = "error"
			}
		}
		v.Elapsed = fmt.Sprintf("%.1f ms", float64(time.Since(began).Microseconds())/1000)
		c.render(w, status, tmpl, v, began)
	})
}

// errorView puts an error on the page, as the API worded it when it is a
// fault, and returns the status to answer with.
func (c *Console) errorView(v *view, err error) int {
	var f *swfapi.Fault
	if errors.As(err, &f) {
		v.Error = f.Code + ": " + f.Message
		switch f.Code {
		case "UnknownResourceFault":
			return http.StatusNotFound
		case "OperationNotPermittedFault", swfapi.CodeAccessDenied:
			return http.StatusForbidden
		default:
			return http.StatusBadRequest
		}
	}
	c.cfg.Logger.Error("console page failed", "err", err)
	v.Error = "Internal error; see the server's log."
	return http.StatusInternalServerError
}

// render executes a page's template into a buffer first, so that a
// failing template answers a clean 500 rather than half a page.
func (c *Console) render(w http.ResponseWriter, status int, name string, v *view, began time.Time) {
	t, ok := c.pages[name]
	if !ok {
		http.Error(w, "no such page template "+name, http.StatusInternalServerError)
		return
	}
	buf := c.getBuffer()
	defer c.putBuffer(buf)
	if err := t.ExecuteTemplate(buf, "layout", v); err != nil {
		c.cfg.Logger.Error("console template failed", "page", name, "err", err)
		http.Error(w, "Internal error rendering the page; see the server's log.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Server-Timing", "render;dur="+strconv.FormatFloat(float64(time.Since(began).Microseconds())/1000, 'f', 1, 64))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
