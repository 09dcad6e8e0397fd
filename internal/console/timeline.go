package console

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"
)

// bar is one row of the timeline: an activity attempt, a timer, a child
// execution or a decision task, from when it was scheduled (initiated,
// started for a timer) to when it started and when it closed.
type bar struct {
	Kind      string // activity, timer, child, decision
	ID        string // activity id, timer id, child workflow id, decision's event id
	Label     string
	Scheduled time.Time
	Started   time.Time // zero: not started (or no start, as timers)
	Closed    time.Time // zero: still open
	Outcome   string    // completed, failed, timedout, canceled, terminated, fired, open, …
	Events    []string  // "id Type" of the events that make it
}

// maxBars bounds the timeline: past that many rows it is no longer read as
// a picture, and the table below has every event.
const maxBars = 600

// timeline pairs the events of a history into bars, in the order they
// began.
func timeline(events []eventView) (bars []*bar, truncated bool) {
	byEvent := map[string]*bar{} // kind + initiating event id
	open := func(kind string, id int64, b *bar) {
		if len(bars) >= maxBars {
			truncated = true
			return
		}
		byEvent[kind+strconv.FormatInt(id, 10)] = b
		bars = append(bars, b)
	}
	find := func(kind string, id int64) *bar { return byEvent[kind+strconv.FormatInt(id, 10)] }
	note := func(b *bar, e *eventView) {
		b.Events = append(b.Events, fmt.Sprintf("%d %s %s", e.ID, e.Type, e.Time.UTC().Format(timeLayout)))
	}
	start := func(b *bar, e *eventView) {
		if b != nil {
			b.Started = e.Time
			note(b, e)
		}
	}
	closeBar := func(b *bar, e *eventView, outcome string) {
		if b != nil {
			b.Closed, b.Outcome = e.Time, outcome
			note(b, e)
		}
	}
	for i := range events {
		e := &events[i]
		switch e.Type {
		case "ActivityTaskScheduled":
			b := &bar{Kind: "activity", ID: e.get("activityId"), Scheduled: e.Time, Outcome: "open"}
			b.Label = b.ID + " (" + e.get("activityType") + ")"
			note(b, e)
			open("a", e.ID, b)
		case "ActivityTaskStarted":
			start(find("a", e.ScheduledEventID), e)
		case "ActivityTaskCompleted":
			closeBar(find("a", e.ScheduledEventID), e, "completed")
		case "ActivityTaskFailed":
			closeBar(find("a", e.ScheduledEventID), e, "failed")
		case "ActivityTaskTimedOut":
			closeBar(find("a", e.ScheduledEventID), e, "timedout")
		case "ActivityTaskCanceled":
			closeBar(find("a", e.ScheduledEventID), e, "canceled")
		case "DecisionTaskScheduled":
			b := &bar{Kind: "decision", ID: strconv.FormatInt(e.ID, 10), Label: "decision task " + strconv.FormatInt(e.ID, 10), Scheduled: e.Time, Outcome: "open"}
			note(b, e)
			open("d", e.ID, b)
		case "DecisionTaskStarted":
			start(find("d", e.ScheduledEventID), e)
		case "DecisionTaskCompleted":
			closeBar(find("d", e.ScheduledEventID), e, "completed")
		case "DecisionTaskTimedOut":
			closeBar(find("d", e.ScheduledEventID), e, "timedout")
		case "TimerStarted":
			b := &bar{Kind: "timer", ID: e.get("timerId"), Scheduled: e.Time, Outcome: "open"}
			b.Label = "timer " + b.ID
			note(b, e)
			open("t", e.ID, b)
		case "TimerFired":
			closeBar(find("t", e.StartedEventID), e, "fired")
		case "TimerCanceled":
			closeBar(find("t", e.StartedEventID), e, "canceled")
		case "StartChildWorkflowExecutionInitiated":
			b := &bar{Kind: "child", ID: e.get("workflowId"), Scheduled: e.Time, Outcome: "open"}
			b.Label = "child " + b.ID
			note(b, e)
			open("c", e.ID, b)
		case "ChildWorkflowExecutionStarted":
			start(find("c", e.InitiatedEventID), e)
		case "StartChildWorkflowExecutionFailed":
			closeBar(find("c", e.InitiatedEventID), e, "failed")
		case "ChildWorkflowExecutionCompleted":
			closeBar(find("c", e.InitiatedEventID), e, "completed")
		case "ChildWorkflowExecutionFailed":
			closeBar(find("c", e.InitiatedEventID), e, "failed")
		case "ChildWorkflowExecutionTimedOut":
			closeBar(find("c", e.InitiatedEventID), e, "timedout")
		case "ChildWorkflowExecutionCanceled":
			closeBar(find("c", e.InitiatedEventID), e, "canceled")
		case "ChildWorkflowExecutionTerminated":
			closeBar(find("c", e.InitiatedEventID), e, "terminated")
		}
	}
	return bars, truncated
}

// Geometry of the timeline's SVG, in its own units (it scales to the page).
const (
	svgWidth  = 1200
	svgLabelW = 260
	svgRowH   = 18
	svgTop    = 24
)

// timelineSVG draws bars between from and to (the run's start, and its close
// or now) as inline SVG, each bar with a <title> for hover: no script
// needed. Text goes through template.HTMLEscapeString.
func timelineSVG(bars []*bar, from, to time.Time) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	span := to.Sub(from)
	if span <= 0 {
		span = time.Millisecond
	}
	plot := float64(svgWidth - svgLabelW - 10)
	x := func(t time.Time) float64 {
		if t.IsZero() {
			t = to
		}
		f := float64(t.Sub(from)) / float64(span)
		return float64(svgLabelW) + max(0, min(1, f))*plot
	}
	h := svgTop + len(bars)*svgRowH + 6
	var b strings.Builder
	b.Grow(len(bars) * 600)
	fmt.Fprintf(&b, `<svg class="timeline" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="timeline of %d tasks, timers and children" xmlns="http://www.w3.org/2000/svg">`, svgWidth, h, len(bars))
	// The time axis: five ticks, as offsets from the run's start.
	for i := 0; i <= 4; i++ {
		tx := float64(svgLabelW) + plot*float64(i)/4
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case 4:
			anchor = "end"
		}
		fmt.Fprintf(&b, `<line class="tick" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/><text class="axis" x="%.1f" y="14" text-anchor="%s">+%s</text>`,
			tx, svgTop-4, tx, h, tx, anchor, shortDuration(span*time.Duration(i)/4))
	}
	for i, br := range bars {
		y := svgTop + i*svgRowH
		x0, x2 := x(br.Scheduled), x(br.Closed)
		x1 := x2
		if !br.Started.IsZero() {
			x1 = x(br.Started)
		}
		esc := template.HTMLEscapeString
		title := esc(br.Kind+" "+br.ID) + " — " + esc(br.Outcome) + "&#10;" + esc(strings.Join(br.Events, "\n"))
		title = strings.ReplaceAll(title, "\n", "&#10;")
		fmt.Fprintf(&b, `<g class="bar %s" data-kind="%s" data-id="%s" data-outcome="%s"><title>%s</title>`,
			"o-"+esc(br.Outcome), esc(br.Kind), esc(br.ID), esc(br.Outcome), title)
		fmt.Fprintf(&b, `<text class="label" x="4" y="%d">%s</text>`, y+12, esc(trimLabel(br.Label)))
		// Waiting (scheduled → started) is drawn pale, running (started →
		// closed) in the outcome's colour; each at least 2 units wide.
		if x1 > x0 {
			fmt.Fprintf(&b, `<rect class="wait" x="%.1f" y="%d" width="%.1f" height="%d"/>`, x0, y+3, x1-x0, svgRowH-6)
		}
		fmt.Fprintf(&b, `<rect class="run" x="%.1f" y="%d" width="%.1f" height="%d"/></g>`, x1, y+2, max(2, x2-x1), svgRowH-4)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func trimLabel(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return s
}

// shortDuration writes d compactly: 850ms, 12.5s, 3m20s, 2h5m, 3d4h.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
	}
}
