package console

import (
	"bytes"
	"encoding/json"
	"html/template"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// eventView is one history event as the history table shows it.
type eventView struct {
	ID      int64
	Type    string
	Time    time.Time
	Summary string
	Fields  []field
	// The ids this event refers to, for the timeline.
	ScheduledEventID, StartedEventID, InitiatedEventID int64
	attrs                                              reflect.Value
}

// field is one attribute of an event, written out readably: a payload that
// is JSON is pretty-printed (Pre), anything else is plain text.
type field struct {
	Name string
	Text string
	Pre  bool
}

// fieldIndex caches, per attributes type, its fields' JSON names: every
// event of a kind has the same shape.
type fieldIndex map[reflect.Type][]string

func (fi fieldIndex) names(t reflect.Type) []string {
	if n, ok := fi[t]; ok {
		return n
	}
	n := make([]string, t.NumField())
	for i := range n {
		tag := t.Field(i).Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = t.Field(i).Name
		}
		n[i] = name
	}
	fi[t] = n
	return n
}

// eventViews turns events into rows. It reads the attributes by reflection
// rather than through a JSON round trip: a 5,000-event history must render
// in well under half a second.
func eventViews(events []swfapi.HistoryEvent) []eventView {
	out := make([]eventView, len(events))
	fi := fieldIndex{}
	for i := range events {
		ev := &events[i]
		v := eventView{ID: deref64(ev.EventId), Type: enumStr(ev.EventType), Time: tsTime(ev.EventTimestamp)}
		rv := reflect.ValueOf(ev).Elem()
		for j := 3; j < rv.NumField(); j++ {
			if f := rv.Field(j); !f.IsNil() {
				v.attrs = f.Elem()
				break
			}
		}
		if v.attrs.IsValid() {
			names := fi.names(v.attrs.Type())
			for j, name := range names {
				f := v.attrs.Field(j)
				if f.Kind() == reflect.Pointer && f.IsNil() || f.Kind() == reflect.Slice && f.Len() == 0 {
					continue
				}
				switch name {
				case "scheduledEventId":
					v.ScheduledEventID = f.Elem().Int()
				case "startedEventId":
					v.StartedEventID = f.Elem().Int()
				case "initiatedEventId":
					v.InitiatedEventID = f.Elem().Int()
				}
				v.Fields = append(v.Fields, valueField(name, f))
			}
			v.Summary = summary(v.Fields)
		}
		out[i] = v
	}
	return out
}

// valueField writes one attribute value.
func valueField(name string, f reflect.Value) field {
	if f.Kind() == reflect.Pointer {
		f = f.Elem()
	}
	switch f.Kind() {
	case reflect.String:
		return payload(name, f.String())
	case reflect.Int, reflect.Int32, reflect.Int64:
		return field{Name: name, Text: strconv.FormatInt(f.Int(), 10)}
	case reflect.Bool:
		return field{Name: name, Text: strconv.FormatBool(f.Bool())}
	}
	switch x := f.Interface().(type) {
	case swfapi.Timestamp:
		return field{Name: name, Text: x.UTC().Format(timeLayout)}
	case swfapi.TaskList:
		return field{Name: name, Text: str(x.Name)}
	case swfapi.ActivityType:
		return field{Name: name, Text: str(x.Name) + " v" + str(x.Version)}
	case swfapi.WorkflowType:
		return field{Name: name, Text: str(x.Name) + " v" + str(x.Version)}
	case swfapi.WorkflowExecution:
		return field{Name: name, Text: str(x.WorkflowId) + " / " + str(x.RunId)}
	case []string:
		return field{Name: name, Text: strings.Join(x, ", ")}
	}
	b, err := json.Marshal(f.Interface())
	if err != nil {
		return field{Name: name, Text: "?"}
	}
	return field{Name: name, Text: string(b)}
}

// payload is an input, result, details or other free text: pretty-printed
// when it is a JSON object or array.
func payload(name, s string) field {
	t := strings.TrimSpace(s)
	if len(t) > 1 && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
		var b bytes.Buffer
		if json.Indent(&b, []byte(t), "", "  ") == nil {
			return field{Name: name, Text: b.String(), Pre: true}
		}
	}
	return field{Name: name, Text: s, Pre: strings.Contains(s, "\n")}
}

// summaryKeys are the attributes that best name what an event is about,
// best first.
var summaryKeys = [...]string{"activityId", "timerId", "signalName", "markerName", "workflowExecution", "activityType", "workflowType", "reason", "cause", "timeoutType", "decisionType"}

func summary(fs []field) string {
	var parts []string
	for _, k := range summaryKeys {
		for _, f := range fs {
			if f.Name == k && !f.Pre && len(parts) < 2 {
				t := f.Text
				if len(t) > 80 {
					t = t[:80] + "…"
				}
				parts = append(parts, k+"="+t)
			}
		}
	}
	// Events without any of those (task starts and completions) are
	// summed up by their first plain attributes, the ids they refer to.
	for _, f := range fs {
		if len(parts) > 0 {
			break
		}
		if !f.Pre && len(f.Text) <= 80 {
			parts = append(parts, f.Name+"="+f.Text)
		}
	}
	return strings.Join(parts, "  ")
}

// get returns the text of an attribute of an event.
func (v *eventView) get(name string) string {
	for _, f := range v.Fields {
		if f.Name == name {
			return f.Text
		}
	}
	return ""
}

func deref64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

const timeLayout = "2006-01-02 15:04:05.000"

// historyRows writes the history table's rows. It writes them by hand
// rather than with html/template, whose per-value escaping costs most of
// the time of a 5,000-event page; every text goes through
// template.HTMLEscapeString.
func historyRows(events []eventView) template.HTML {
	var b strings.Builder
	b.Grow(len(events) * 400)
	esc := func(s string) { template.HTMLEscape(&b, []byte(s)) }
	for i := range events {
		e := &events[i]
		b.WriteString(`<tr class="ev-`)
		esc(e.Type)
		b.WriteString(`"><td class="num">`)
		b.WriteString(strconv.FormatInt(e.ID, 10))
		b.WriteString(`</td><td>`)
		if !e.Time.IsZero() {
			b.WriteString(e.Time.UTC().Format(timeLayout))
		}
		b.WriteString(`</td><td>`)
		esc(e.Type)
		b.WriteString(`</td><td>`)
		if len(e.Fields) > 0 {
			b.WriteString(`<details><summary>`)
			esc(e.Summary)
			b.WriteString(`</summary><dl class="attrs">`)
			for _, f := range e.Fields {
				b.WriteString(`<dt>`)
				esc(f.Name)
				b.WriteString(`</dt><dd>`)
				if f.Pre {
					b.WriteString(`<pre>`)
					esc(f.Text)
					b.WriteString(`</pre>`)
				} else {
					esc(f.Text)
				}
				b.WriteString(`</dd>`)
			}
			b.WriteString(`</dl></details>`)
		}
		b.WriteString("</td></tr>\n")
	}
	return template.HTML(b.String())
}
