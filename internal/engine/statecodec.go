package engine

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/openswf/openswf/internal/swfapi"
)

// This file encodes an Execution without reflection. The service encodes
// the whole state on every command, and encoding/json spends most of that
// time walking the types; the state's shape is fixed, so it is written out
// here by hand.
//
// The bytes must stay exactly those json.Marshal writes, so that a stored
// state does not depend on which encoder wrote it: states already stored
// were written by json.Marshal, and json.Unmarshal reads both back.
// statecodec_test.go fills every field of these types by reflection and
// compares both encoders, so a field added to one of them without a line
// below fails that test.

// AppendJSON appends the state as json.Marshal(e) encodes it, and returns
// the extended buffer.
//
// Unlike json.Marshal it cannot fail: a time whose year is outside
// [0,9999] or whose zone offset is 24 hours or more, which json.Marshal
// refuses, is written in the same RFC 3339 layout anyway. The engine only
// ever stores UTC times near now, so that never happens.
//
// The result is allocated from a guess at its size (see sizeHint), so
// from nil it usually has some spare capacity; a caller that keeps it for
// long may clip it, and one that encodes often may pass a reused buffer.
func (e *Execution) AppendJSON(b []byte) []byte {
	if e == nil {
		return append(b, "null"...)
	}
	// One allocation of about the right size, instead of the several
	// append's doubling takes from nil (and the garbage they leave).
	b = slices.Grow(b, e.sizeHint())
	b = append(b, `{"domain":`...)
	b = appendString(b, e.Domain)
	b = append(b, `,"workflowId":`...)
	b = appendString(b, e.WorkflowID)
	b = append(b, `,"runId":`...)
	b = appendString(b, e.RunID)
	b = append(b, `,"workflowType":`...)
	b = e.WorkflowType.appendJSON(b)
	b = append(b, `,"taskList":`...)
	b = appendString(b, e.TaskList)
	if e.TaskPriority != "" {
		b = append(b, `,"taskPriority":`...)
		b = appendString(b, e.TaskPriority)
	}
	b = append(b, `,"executionStartToCloseTimeout":`...)
	b = appendString(b, e.ExecutionStartToCloseTimeout)
	b = append(b, `,"taskStartToCloseTimeout":`...)
	b = appendString(b, e.TaskStartToCloseTimeout)
	b = append(b, `,"childPolicy":`...)
	b = appendString(b, string(e.ChildPolicy))
	if e.LambdaRole != "" {
		b = append(b, `,"lambdaRole":`...)
		b = appendString(b, e.LambdaRole)
	}
	if len(e.TagList) > 0 {
		b = append(b, `,"tagList":`...)
		b = appendStrings(b, e.TagList)
	}
	b = append(b, `,"limits":`...)
	b = e.Limits.appendJSON(b)
	b = append(b, `,"startedAt":`...)
	b = appendTime(b, e.StartedAt)
	b = append(b, `,"open":`...)
	b = strconv.AppendBool(b, e.Open)
	if e.CloseStatus != "" {
		b = append(b, `,"closeStatus":`...)
		b = appendString(b, string(e.CloseStatus))
	}
	if !e.ClosedAt.IsZero() { // omitzero calls IsZero
		b = append(b, `,"closedAt":`...)
		b = appendTime(b, e.ClosedAt)
	}
	if e.CancelRequested {
		b = append(b, `,"cancelRequested":true`...)
	}
	b = append(b, `,"nextEventId":`...)
	b = strconv.AppendInt(b, e.NextEventID, 10)
	if e.LatestExecutionContextEventID != 0 {
		b = append(b, `,"latestExecutionContextEventId":`...)
		b = strconv.AppendInt(b, e.LatestExecutionContextEventID, 10)
	}
	if e.LatestExecutionContext != nil {
		b = append(b, `,"latestExecutionContext":`...)
		b = appendString(b, *e.LatestExecutionContext)
	}
	if !e.LatestActivityTaskTimestamp.IsZero() {
		b = append(b, `,"latestActivityTaskTimestamp":`...)
		b = appendTime(b, e.LatestActivityTaskTimestamp)
	}
	if e.Decision != nil {
		b = append(b, `,"decision":`...)
		b = e.Decision.appendJSON(b)
	}
	if e.NextDecision != nil {
		b = append(b, `,"nextDecision":`...)
		b = e.NextDecision.appendJSON(b)
	}
	if e.PreviousStartedEventID != 0 {
		b = append(b, `,"previousStartedEventId":`...)
		b = strconv.AppendInt(b, e.PreviousStartedEventID, 10)
	}
	if e.TaskListOverride != "" {
		b = append(b, `,"taskListOverride":`...)
		b = appendString(b, e.TaskListOverride)
	}
	if e.TaskListOverrideScheduleToStart != "" {
		b = append(b, `,"taskListOverrideScheduleToStartTimeout":`...)
		b = appendString(b, e.TaskListOverrideScheduleToStart)
	}
	if len(e.Activities) > 0 {
		b = append(b, `,"activities":`...)
		b = appendActivities(b, e.Activities)
	}
	if len(e.ActivityIDs) > 0 {
		b = append(b, `,"activityIds":`...)
		b = appendActivityIDs(b, e.ActivityIDs)
	}
	if len(e.Timers) > 0 {
		b = append(b, `,"timers":`...)
		b = appendTimers(b, e.Timers)
	}
	if len(e.External) > 0 {
		b = append(b, `,"external":`...)
		b = appendExternal(b, e.External)
	}
	if len(e.Received) > 0 {
		// ReceivedRequests has an UnmarshalJSON only; it marshals as the
		// []string it is.
		b = append(b, `,"received":`...)
		b = appendStrings(b, e.Received)
	}
	if len(e.Children) > 0 {
		b = append(b, `,"children":`...)
		b = appendChildren(b, e.Children)
	}
	if e.Parent != nil {
		b = append(b, `,"parent":`...)
		b = e.Parent.appendJSON(b)
	}
	if e.Notice != nil {
		b = append(b, `,"notice":`...)
		b = e.Notice.appendJSON(b)
	}
	return append(b, '}')
}

// sizeHint guesses the length of the encoding from what the state holds,
// with typical sizes of each entry (ids, timeouts and times, no payloads);
// a run carrying large inputs in its open entries grows the buffer again.
func (e *Execution) sizeHint() int {
	n := 640 + len(e.Activities)*360 + len(e.ActivityIDs)*24 + len(e.Timers)*112 +
		len(e.External)*160 + len(e.Children)*352 + len(e.Received)*40 + len(e.TagList)*24
	if e.LatestExecutionContext != nil {
		n += len(*e.LatestExecutionContext)
	}
	return n
}

func (t *TypeRef) appendJSON(b []byte) []byte {
	b = append(b, `{"name":`...)
	b = appendString(b, t.Name)
	b = append(b, `,"version":`...)
	b = appendString(b, t.Version)
	return append(b, '}')
}

func (l *Limits) appendJSON(b []byte) []byte {
	b = append(b, `{"openActivities":`...)
	b = strconv.AppendInt(b, int64(l.OpenActivities), 10)
	b = append(b, `,"openTimers":`...)
	b = strconv.AppendInt(b, int64(l.OpenTimers), 10)
	if l.OpenChildren != 0 {
		b = append(b, `,"openChildren":`...)
		b = strconv.AppendInt(b, int64(l.OpenChildren), 10)
	}
	if l.HistoryEvents != 0 {
		b = append(b, `,"historyEvents":`...)
		b = strconv.AppendInt(b, int64(l.HistoryEvents), 10)
	}
	return append(b, '}')
}

func (d *DecisionTaskState) appendJSON(b []byte) []byte {
	b = append(b, `{"scheduledEventId":`...)
	b = strconv.AppendInt(b, d.ScheduledEventID, 10)
	b = append(b, `,"scheduledAt":`...)
	b = appendTime(b, d.ScheduledAt)
	b = append(b, `,"taskList":`...)
	b = appendString(b, d.TaskList)
	if d.Priority != "" {
		b = append(b, `,"priority":`...)
		b = appendString(b, d.Priority)
	}
	b = append(b, `,"startToCloseTimeout":`...)
	b = appendString(b, d.StartToClose)
	if d.ScheduleToStart != "" {
		b = append(b, `,"scheduleToStartTimeout":`...)
		b = appendString(b, d.ScheduleToStart)
	}
	if d.StartedEventID != 0 {
		b = append(b, `,"startedEventId":`...)
		b = strconv.AppendInt(b, d.StartedEventID, 10)
	}
	if !d.StartedAt.IsZero() {
		b = append(b, `,"startedAt":`...)
		b = appendTime(b, d.StartedAt)
	}
	if d.Identity != "" {
		b = append(b, `,"identity":`...)
		b = appendString(b, d.Identity)
	}
	return append(b, '}')
}

func (a *ActivityState) appendJSON(b []byte) []byte {
	b = append(b, `{"activityId":`...)
	b = appendString(b, a.ActivityID)
	b = append(b, `,"activityType":`...)
	b = a.Type.appendJSON(b)
	b = append(b, `,"taskList":`...)
	b = appendString(b, a.TaskList)
	if a.Priority != "" {
		b = append(b, `,"priority":`...)
		b = appendString(b, a.Priority)
	}
	if a.Input != nil {
		b = append(b, `,"input":`...)
		b = appendString(b, *a.Input)
	}
	if a.Control != nil {
		b = append(b, `,"control":`...)
		b = appendString(b, *a.Control)
	}
	b = append(b, `,"scheduleToStartTimeout":`...)
	b = appendString(b, a.ScheduleToStart)
	b = append(b, `,"scheduleToCloseTimeout":`...)
	b = appendString(b, a.ScheduleToClose)
	b = append(b, `,"startToCloseTimeout":`...)
	b = appendString(b, a.StartToClose)
	b = append(b, `,"heartbeatTimeout":`...)
	b = appendString(b, a.HeartbeatTimeout)
	b = append(b, `,"scheduledEventId":`...)
	b = strconv.AppendInt(b, a.ScheduledEventID, 10)
	b = append(b, `,"scheduledAt":`...)
	b = appendTime(b, a.ScheduledAt)
	if a.StartedEventID != 0 {
		b = append(b, `,"startedEventId":`...)
		b = strconv.AppendInt(b, a.StartedEventID, 10)
	}
	if !a.StartedAt.IsZero() {
		b = append(b, `,"startedAt":`...)
		b = appendTime(b, a.StartedAt)
	}
	if a.Identity != "" {
		b = append(b, `,"identity":`...)
		b = appendString(b, a.Identity)
	}
	if a.CancelRequested {
		b = append(b, `,"cancelRequested":true`...)
	}
	if a.LatestCancelRequestedEventID != 0 {
		b = append(b, `,"latestCancelRequestedEventId":`...)
		b = strconv.AppendInt(b, a.LatestCancelRequestedEventID, 10)
	}
	return append(b, '}')
}

func (t *TimerState) appendJSON(b []byte) []byte {
	b = append(b, `{"timerId":`...)
	b = appendString(b, t.TimerID)
	if t.Control != nil {
		b = append(b, `,"control":`...)
		b = appendString(b, *t.Control)
	}
	b = append(b, `,"startToFireTimeout":`...)
	b = appendString(b, t.StartToFireTimeout)
	b = append(b, `,"startedEventId":`...)
	b = strconv.AppendInt(b, t.StartedEventID, 10)
	b = append(b, `,"fireAt":`...)
	b = appendTime(b, t.FireAt)
	return append(b, '}')
}

func (r *ExternalRequest) appendJSON(b []byte) []byte {
	// Cancel, the first field, may be omitted, so the comma rule is not
	// the usual one here.
	b = append(b, '{')
	if r.Cancel {
		b = append(b, `"cancel":true,`...)
	}
	b = append(b, `"workflowId":`...)
	b = appendString(b, r.WorkflowID)
	if r.RunID != "" {
		b = append(b, `,"runId":`...)
		b = appendString(b, r.RunID)
	}
	if r.SignalName != "" {
		b = append(b, `,"signalName":`...)
		b = appendString(b, r.SignalName)
	}
	if r.Input != nil {
		b = append(b, `,"input":`...)
		b = appendString(b, *r.Input)
	}
	if r.Control != nil {
		b = append(b, `,"control":`...)
		b = appendString(b, *r.Control)
	}
	b = append(b, `,"decisionTaskCompletedEventId":`...)
	b = strconv.AppendInt(b, r.DecisionTaskCompletedEventID, 10)
	b = append(b, `,"initiatedAt":`...)
	b = appendTime(b, r.InitiatedAt)
	return append(b, '}')
}

func (c *ChildState) appendJSON(b []byte) []byte {
	b = append(b, `{"workflowId":`...)
	b = appendString(b, c.WorkflowID)
	b = append(b, `,"workflowType":`...)
	b = c.Type.appendJSON(b)
	if c.Control != nil {
		b = append(b, `,"control":`...)
		b = appendString(b, *c.Control)
	}
	b = append(b, `,"decisionTaskCompletedEventId":`...)
	b = strconv.AppendInt(b, c.DecisionTaskCompletedEventID, 10)
	b = append(b, `,"initiatedAt":`...)
	b = appendTime(b, c.InitiatedAt)
	if c.Input != nil {
		b = append(b, `,"input":`...)
		b = appendString(b, *c.Input)
	}
	b = append(b, `,"taskList":`...)
	b = appendString(b, c.TaskList)
	if c.TaskPriority != "" {
		b = append(b, `,"taskPriority":`...)
		b = appendString(b, c.TaskPriority)
	}
	b = append(b, `,"executionStartToCloseTimeout":`...)
	b = appendString(b, c.ExecutionStartToCloseTimeout)
	b = append(b, `,"taskStartToCloseTimeout":`...)
	b = appendString(b, c.TaskStartToCloseTimeout)
	b = append(b, `,"childPolicy":`...)
	b = appendString(b, string(c.ChildPolicy))
	if len(c.TagList) > 0 {
		b = append(b, `,"tagList":`...)
		b = appendStrings(b, c.TagList)
	}
	if c.LambdaRole != "" {
		b = append(b, `,"lambdaRole":`...)
		b = appendString(b, c.LambdaRole)
	}
	if c.RunID != "" {
		b = append(b, `,"runId":`...)
		b = appendString(b, c.RunID)
	}
	if c.StartedEventID != 0 {
		b = append(b, `,"startedEventId":`...)
		b = strconv.AppendInt(b, c.StartedEventID, 10)
	}
	if c.Policy != "" {
		b = append(b, `,"policy":`...)
		b = appendString(b, string(c.Policy))
	}
	return append(b, '}')
}

func (p *ParentRef) appendJSON(b []byte) []byte {
	b = append(b, `{"workflowId":`...)
	b = appendString(b, p.WorkflowID)
	b = append(b, `,"runId":`...)
	b = appendString(b, p.RunID)
	b = append(b, `,"initiatedEventId":`...)
	b = strconv.AppendInt(b, p.InitiatedEventID, 10)
	return append(b, '}')
}

func (n *ParentNotice) appendJSON(b []byte) []byte {
	b = append(b, `{"status":`...)
	b = appendString(b, string(n.Status))
	if n.Result != nil {
		b = append(b, `,"result":`...)
		b = appendString(b, *n.Result)
	}
	if n.Reason != nil {
		b = append(b, `,"reason":`...)
		b = appendString(b, *n.Reason)
	}
	if n.Details != nil {
		b = append(b, `,"details":`...)
		b = appendString(b, *n.Details)
	}
	return append(b, '}')
}

// appendTime writes t as time.Time's MarshalJSON does: RFC 3339 with the
// nanoseconds its trailing zeros trimmed, in t's own zone.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// idKeys returns the keys of a map keyed by event id in the order
// encoding/json writes them: as decimal strings, sorted bytewise (so "10"
// comes before "9"). They are appended to buf, which a caller keeps on its
// stack so that the few keys of a usual run cost no allocation.
func idKeys[V any](buf []int64, m map[int64]V) []int64 {
	for k := range m {
		buf = append(buf, k)
	}
	slices.SortFunc(buf, compareDecimal)
	return buf
}

// nameKeys returns the keys of a map keyed by string in the order
// encoding/json writes them: sorted bytewise before they are escaped.
func nameKeys[V any](buf []string, m map[string]V) []string {
	for k := range m {
		buf = append(buf, k)
	}
	slices.Sort(buf)
	return buf
}

// appendIDKey writes an event id as an object key; its digits and '-'
// need no escaping.
func appendIDKey(b []byte, first bool, id int64) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = strconv.AppendInt(b, id, 10)
	return append(b, '"', ':')
}

func appendNameKey(b []byte, first bool, name string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = appendString(b, name)
	return append(b, ':')
}

// The maps are written by one loop each rather than a generic helper
// taking the element encoder as a func value: the indirect call would move
// each element copy to the heap.

func appendActivities(b []byte, m map[int64]ActivityState) []byte {
	var buf [16]int64
	b = append(b, '{')
	for i, k := range idKeys(buf[:0], m) {
		b = appendIDKey(b, i == 0, k)
		v := m[k]
		b = v.appendJSON(b)
	}
	return append(b, '}')
}

func appendExternal(b []byte, m map[int64]ExternalRequest) []byte {
	var buf [16]int64
	b = append(b, '{')
	for i, k := range idKeys(buf[:0], m) {
		b = appendIDKey(b, i == 0, k)
		v := m[k]
		b = v.appendJSON(b)
	}
	return append(b, '}')
}

func appendChildren(b []byte, m map[int64]ChildState) []byte {
	var buf [16]int64
	b = append(b, '{')
	for i, k := range idKeys(buf[:0], m) {
		b = appendIDKey(b, i == 0, k)
		v := m[k]
		b = v.appendJSON(b)
	}
	return append(b, '}')
}

func appendTimers(b []byte, m map[string]TimerState) []byte {
	var buf [16]string
	b = append(b, '{')
	for i, k := range nameKeys(buf[:0], m) {
		b = appendNameKey(b, i == 0, k)
		v := m[k]
		b = v.appendJSON(b)
	}
	return append(b, '}')
}

func appendActivityIDs(b []byte, m map[string]int64) []byte {
	var buf [16]string
	b = append(b, '{')
	for i, k := range nameKeys(buf[:0], m) {
		b = appendNameKey(b, i == 0, k)
		b = strconv.AppendInt(b, m[k], 10)
	}
	return append(b, '}')
}

// compareDecimal orders two integers as their decimal strings compare
// bytewise, without formatting them when both are non-negative (event
// ids always are): then the shorter one's digits are compared with the
// same number of leading digits of the longer, and a tie means it is a
// prefix of the longer, so it comes first.
func compareDecimal(x, y int64) int {
	if x < 0 || y < 0 {
		var bx, by [20]byte
		return cmp.Compare(string(strconv.AppendInt(bx[:0], x, 10)), string(strconv.AppendInt(by[:0], y, 10)))
	}
	dx, dy := decimalDigits(x), decimalDigits(y)
	switch {
	case dx == dy:
		return cmp.Compare(x, y)
	case dx < dy:
		if c := cmp.Compare(x, y/pow10[dy-dx]); c != 0 {
			return c
		}
		return -1
	default:
		if c := cmp.Compare(x/pow10[dx-dy], y); c != 0 {
			return c
		}
		return 1
	}
}

var pow10 = func() (p [19]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// decimalDigits is the number of digits of x >= 0.
func decimalDigits(x int64) int {
	n := 1
	for n < len(pow10) && x >= pow10[n] {
		n++
	}
	return n
}

// appendString quotes s as encoding/json does by default (HTML
// characters, U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD).
func appendString(b []byte, s string) []byte { return swfapi.AppendJSONString(b, s) }
