package console

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/auth"
	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/swfapi"
)

func TestPayload(t *testing.T) {
	for _, c := range []struct {
		in, want string
		pre      bool
	}{
		{`{"a":1,"b":[2,3]}`, "{\n  \"a\": 1,\n  \"b\": [\n    2,\n    3\n  ]\n}", true},
		{`  [1]`, "[\n  1\n]", true},
		{`{"a":`, `{"a":`, false}, // not JSON: as it is
		{`plain text`, `plain text`, false},
		{"two\nlines", "two\nlines", true},
		{`42`, `42`, false}, // JSON, but no structure to show
	} {
		got := payload("input", c.in)
		if got.Text != c.want || got.Pre != c.pre {
			t.Errorf("payload(%q) = %q (pre %v), want %q (pre %v)", c.in, got.Text, got.Pre, c.want, c.pre)
		}
	}
}

func TestTimeline(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) *swfapi.Timestamp { return swfapi.NewTimestamp(t0.Add(time.Duration(s) * time.Second)) }
	id := func(n int64) *int64 { return &n }
	typ := func(s swfapi.EventType) *swfapi.EventType { return &s }
	events := []swfapi.HistoryEvent{
		{EventId: id(1), EventType: typ(swfapi.EventTypeActivityTaskScheduled), EventTimestamp: at(0), ActivityTaskScheduledEventAttributes: &swfapi.ActivityTaskScheduledEventAttributes{
			ActivityId: swfapi.Ptr("a<1>"), ActivityType: &swfapi.ActivityType{Name: swfapi.Ptr("t"), Version: swfapi.Ptr("1")}}},
		{EventId: id(2), EventType: typ(swfapi.EventTypeActivityTaskStarted), EventTimestamp: at(1), ActivityTaskStartedEventAttributes: &swfapi.ActivityTaskStartedEventAttributes{ScheduledEventId: id(1)}},
		{EventId: id(3), EventType: typ(swfapi.EventTypeTimerStarted), EventTimestamp: at(1), TimerStartedEventAttributes: &swfapi.TimerStartedEventAttributes{TimerId: swfapi.Ptr("t1"), StartToFireTimeout: swfapi.Ptr("5")}},
		{EventId: id(4), EventType: typ(swfapi.EventTypeActivityTaskFailed), EventTimestamp: at(3), ActivityTaskFailedEventAttributes: &swfapi.ActivityTaskFailedEventAttributes{ScheduledEventId: id(1), StartedEventId: id(2), Details: swfapi.Ptr(`{"why":"x"}`)}},
	}
	views := eventViews(events)
	bars, cut := timeline(views)
	if cut || len(bars) != 2 {
		t.Fatalf("bars %+v, cut %v", bars, cut)
	}
	a, tm := bars[0], bars[1]
	if a.Kind != "activity" || a.ID != "a<1>" || a.Outcome != "failed" || !a.Started.Equal(t0.Add(time.Second)) || !a.Closed.Equal(t0.Add(3*time.Second)) {
		t.Errorf("activity bar %+v", a)
	}
	if tm.Kind != "timer" || tm.Outcome != "open" || !tm.Closed.IsZero() {
		t.Errorf("timer bar %+v", tm)
	}
	svg := string(timelineSVG(bars, t0, t0.Add(4*time.Second)))
	if !strings.Contains(svg, `data-id="a&lt;1&gt;" data-outcome="failed"`) || strings.Contains(svg, "<1>") {
		t.Errorf("SVG does not escape or mark the bar:\n%s", svg)
	}
	rows := string(historyRows(views))
	if !strings.Contains(rows, "&#34;why&#34;: &#34;x&#34;") || strings.Count(rows, "<tr ") != 4 {
		t.Errorf("history rows:\n%s", rows)
	}
}

func TestSessions(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "p.json")
	write := func(secret string) {
		if err := os.WriteFile(file, []byte(`{"principals": [{"name": "ops", "accessKeyId": "AKIDCONSOLEOPS001", "secretAccessKey": "`+secret+`", "policies": []}]}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("s1")
	keys, err := auth.OpenKeyring(file, "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c, err := New(Config{Handler: func() swfapi.Handler { return nil }(), Extras: nil, Keys: keys, SessionKey: []byte("k"), Clock: clk})
	if err == nil {
		t.Fatal("a console without a handler was built")
	}
	c = &Console{cfg: Config{Keys: keys, SessionKey: []byte("k"), SessionTTL: time.Hour, Clock: clk}}
	sess := c.newSession("AKIDCONSOLEOPS001", "s1", clk.Now())
	if p, ok := c.verifySession(sess, clk.Now()); !ok || p.Name != "ops" {
		t.Fatal("a fresh session is refused")
	}
	parts := strings.Split(sess, ".")
	parts[1] += "9" // a longer life
	if _, ok := c.verifySession(strings.Join(parts, "."), clk.Now()); ok {
		t.Error("a tampered session is accepted")
	}
	if !c.checkCSRF(sess, c.csrfToken(sess)) || c.checkCSRF(sess, c.csrfToken(sess+"x")) || c.checkCSRF("", c.csrfToken("")) {
		t.Error("CSRF tokens are not tied to their session")
	}
	if _, ok := c.verifySession(sess, clk.Now().Add(time.Hour)); ok {
		t.Error("an expired session is accepted")
	}
	// A new secret ends the sessions opened with the old one.
	write("s2")
	if err := keys.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.verifySession(sess, clk.Now()); ok {
		t.Error("a session outlived its secret")
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/console/", "/other", `/console/\evil`} {
		if got := safeNext(next); got != Prefix {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
	if got := safeNext("/console/domains/d/executions?status=closed"); got != "/console/domains/d/executions?status=closed" {
		t.Errorf("safeNext keeps a console path: %q", got)
	}
}
