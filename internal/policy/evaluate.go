package policy

import "strings"

// Request is one authorization question: may the caller do Action on
// Resource, given the condition keys the request carries?
type Request struct {
	// Action is the IAM action, "swf:" and the operation or decision name,
	// for example "swf:RecordActivityTaskHeartbeat".
	Action string
	// Resource is the ARN the action is done to, usually a domain's:
	// "arn:aws:swf:us-east-1:123456789012:/domain/orders".
	Resource string
	// Keys are the condition keys present in the request and their values.
	// Names are canonically lower-case ("swf:tasklist.name"), which is how
	// Scope.Call and Scope.Decisions write them and how Evaluate looks them
	// up first; a name in another case (ASCII letters only, as in IAM's key
	// names) is still found, by a slower scan, so a caller adding its own
	// keys (aws:ResourceTag/..., for instance) need not care. Keep one entry per key whatever its case: when two differ
	// only in case, the lower-case one wins. A key the request does not
	// carry must be absent, not empty, or the IfExists operators and the
	// Null operator cannot tell the difference.
	Keys map[string]string
}

// Verdict is the answer to a Request, with the statement that gave it so
// that a refusal can be explained and logged.
type Verdict struct {
	// Allowed is true when some statement allowed the request and no
	// statement denied it.
	Allowed bool
	// ExplicitDeny is true when a Deny statement matched; it is false for
	// the default deny, which is what a request gets when nothing matched.
	ExplicitDeny bool
	// Policy is the index, in the slice given to Evaluate, of the policy
	// whose statement decided: the Deny that won or the first Allow that
	// matched. It is -1 for the default deny.
	Policy int
	// Statement is the index of that statement within its policy's
	// Statement list (0 for a single-object Statement), or -1.
	Statement int
	// Sid is that statement's Sid, "" if it has none.
	Sid string
}

// Evaluate answers req against every policy attached to the caller,
// following IAM's rules for identity policies: a request is denied unless
// some statement allows it, and any matching Deny overrides every Allow,
// whatever the order of policies and statements.
//
// It runs on every API call (heartbeats included), so everything that can
// be worked out in advance was done by Parse: it allocates nothing and
// compiles nothing. Nil policies are skipped.
func Evaluate(policies []*Policy, req Request) Verdict {
	// Every Deny is looked at before any Allow: a matching Deny decides
	// alone, and the Allows need not be evaluated at all.
	for pi, p := range policies {
		if p == nil {
			continue
		}
		if i := p.first(true, &req); i >= 0 {
			st := &p.deny[i]
			return Verdict{ExplicitDeny: true, Policy: pi, Statement: st.index, Sid: st.sid}
		}
	}
	for pi, p := range policies {
		if p == nil {
			continue
		}
		if i := p.first(false, &req); i >= 0 {
			st := &p.allow[i]
			return Verdict{Allowed: true, Policy: pi, Statement: st.index, Sid: st.sid}
		}
	}
	return Verdict{Policy: -1, Statement: -1}
}

// actionHits lists, for one action, the statements whose Action or
// NotAction lets it through: indices into Policy.deny and Policy.allow.
type actionHits struct{ deny, allow []int32 }

// first returns the index of the first Deny (deny set) or Allow statement
// that matches req, or -1. For an action spelt as SWF spells it, Parse already worked
// out which statements its action lists admit, so only those are looked
// at and their action patterns are not run again; any other spelling (a
// different case, an action SWF does not have) takes the full scan.
func (p *Policy) first(deny bool, req *Request) int {
	stmts := p.allow
	if deny {
		stmts = p.deny
	}
	if h, ok := p.byAction[req.Action]; ok {
		hits := h.allow
		if deny {
			hits = h.deny
		}
		for _, i := range hits {
			if stmts[i].matchesRest(req) {
				return int(i)
			}
		}
		return -1
	}
	for i := range stmts {
		if stmts[i].matchesAction(req.Action) && stmts[i].matchesRest(req) {
			return i
		}
	}
	return -1
}

// statement is one compiled Statement.
type statement struct {
	index       int    // position in the document's Statement list
	sid         string // "" when the statement has none
	deny        bool
	notAction   bool // actions came from NotAction
	actions     []pattern
	notResource bool // resources came from NotResource
	resources   []arnPattern
	conds       []condition // all must hold
}

// matchesAction reports whether the statement's Action admits action, or
// its NotAction does not exclude it.
func (st *statement) matchesAction(action string) bool {
	for i := range st.actions {
		if st.actions[i].match(action) {
			return !st.notAction
		}
	}
	return st.notAction
}

// matchesRest reports whether the statement's resources and conditions
// admit req; its action has been checked already.
func (st *statement) matchesRest(req *Request) bool {
	hit := false
	for i := range st.resources {
		if st.resources[i].match(req.Resource) {
			hit = true
			break
		}
	}
	if hit == st.notResource {
		return false
	}
	for i := range st.conds {
		if !st.conds[i].holds(req.Keys) {
			return false
		}
	}
	return true
}

// opKind is the comparison a condition makes between the request's value
// and the policy's values.
type opKind uint8

const (
	opEquals     opKind = iota // StringEquals, StringNotEquals
	opEqualsFold               // StringEqualsIgnoreCase, StringNotEqualsIgnoreCase
	opLike                     // StringLike, StringNotLike
	opNull                     // Null: tests only whether the key is present
)

// qualifier is the ForAnyValue:/ForAllValues: set prefix. Every SWF key
// holds a single value, so a present key is the one-element set {value}
// and an absent one the empty set; the prefixes then differ from the plain
// operator only on absent keys.
type qualifier uint8

const (
	qualNone qualifier = iota
	qualAnyValue
	qualAllValues
)

// condition is one key of one operator block, compiled.
type condition struct {
	op       opKind
	negated  bool // the Not form: true when no value matches
	ifExists bool // absent key satisfies the condition
	qual     qualifier
	key      string    // lower-case
	values   []string  // opEquals, opEqualsFold
	likes    []pattern // opLike
	nullWant []bool    // opNull: true means "the key must be absent"
}

// holds evaluates the condition against the request's keys.
//
// With the key absent, IAM's documented rules are: the positive string
// operators are false; the negated ones (StringNotEquals,
// StringNotEqualsIgnoreCase, StringNotLike) are true; any ...IfExists form
// is true; Null tests presence itself. With the key present, several
// values are alternatives (any one matching is enough), and for a negated
// operator the value must match none of them.
func (c *condition) holds(keys map[string]string) bool {
	v, ok := lookup(keys, c.key)
	if c.op == opNull {
		for _, wantAbsent := range c.nullWant {
			if wantAbsent != ok {
				return true
			}
		}
		return false
	}
	if !ok {
		switch {
		case c.ifExists:
			return true
		case c.qual == qualAllValues:
			return true // every value of the empty set satisfies anything
		case c.qual == qualAnyValue:
			return false // the empty set has no value to satisfy it
		}
		return c.negated
	}
	matched := false
	switch c.op {
	case opEquals:
		for _, want := range c.values {
			if v == want {
				matched = true
				break
			}
		}
	case opEqualsFold:
		for _, want := range c.values {
			if strings.EqualFold(v, want) {
				matched = true
				break
			}
		}
	case opLike:
		for i := range c.likes {
			if c.likes[i].match(v) {
				matched = true
				break
			}
		}
	}
	return matched != c.negated
}

// lookup finds key (lower-case) in keys, whatever case the caller used.
// The exact lookup is the fast path, since Scope builds lower-case names;
// the scan only runs on a miss, over the handful of keys a request has.
func lookup(keys map[string]string, key string) (string, bool) {
	if len(keys) == 0 {
		return "", false
	}
	if v, ok := keys[key]; ok {
		return v, true
	}
	for k, v := range keys {
		if asciiEqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}
