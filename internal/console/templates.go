package console

import (
	"html/template"
	"net/url"
	"strings"
	"time"
)

// pageNames are the page templates; each is parsed with layout.html.
var pageNames = [...]string{"login", "domains", "domain", "executions", "execution", "confirm", "tasklists", "error"}

func (c *Console) parse() error {
	funcs := template.FuncMap{
		"time": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format(timeLayout)
		},
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
		// ago and left are how long since t, and until t, as the page was
		// rendered.
		"ago": func(now, t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return shortDuration(now.Sub(t)) + " ago"
		},
		"left": func(d time.Duration) string {
			if d < 0 {
				return "overdue by " + shortDuration(-d)
			}
			return shortDuration(d)
		},
		"ms":     func(d time.Duration) int64 { return d.Milliseconds() },
		"path":   url.PathEscape,
		"q":      url.QueryEscape,
		"exec":   execURL,
		"domURL": func(d string) string { return Prefix + "domains/" + url.PathEscape(d) + "/" },
		"short":  func(s string) string { return shorten(s, 12) },
		"join":   strings.Join,
		"deref":  str,
		"withq":  withQuery,
		"isZero": func(t time.Time) bool { return t.IsZero() },
	}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return err
		}
		c.pages[name] = t
	}
	return nil
}

// withQuery returns base?query with one more key set.
func withQuery(base, query, key, value string) string {
	q, _ := url.ParseQuery(query)
	if q == nil {
		q = url.Values{}
	}
	q.Set(key, value)
	return base + "?" + q.Encode()
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
