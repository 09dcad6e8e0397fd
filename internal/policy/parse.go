package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/openswf/openswf/internal/swfapi"
)

// The policy language versions IAM knows. A document without Version is
// read as the older one, as IAM does; the only difference that matters
// here is that the older one has no policy variables.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// MaxDocumentSize is the largest document Parse reads, in bytes. IAM caps
// identity policies at 10,240 characters not counting white space; this
// leaves room for generous indentation while bounding the work a document
// can cause, at Parse time and in every Evaluate.
const MaxDocumentSize = 64 << 10

// Policy is a parsed, compiled identity policy. It is immutable, so one
// Policy may be evaluated from any number of goroutines at once.
type Policy struct {
	version string
	id      string
	// reads holds the keys (lower-case) its conditions read.
	reads map[string]bool
	// Statements split by effect, each keeping its index in the document,
	// because Evaluate looks at every Deny before any Allow.
	deny, allow []statement
	// byAction has an entry for every action SWF authorizes, in SWF's
	// spelling, naming the statements whose action lists admit it; it
	// saves Evaluate from matching action patterns at all.
	byAction map[string]actionHits
}

// Version returns the document's Version, or Version2008 when it had none.
func (p *Policy) Version() string { return p.version }

// ID returns the document's Id, "" when it had none.
func (p *Policy) ID() string { return p.id }

// Parse reads an IAM identity policy document as a user writes it for SWF
// and compiles it for Evaluate.
//
// It accepts what IAM accepts for identity policies, restricted to SWF:
// Version ("2012-10-17", "2008-10-17", or absent), Id, and Statement as one
// object or an array of them; each statement with Sid, Effect, one of
// Action/NotAction, one of Resource/NotResource and an optional Condition.
// Actions are "*" or "swf:" and a name, with "*" and "?" wildcards; they
// must name, or match, an action SWF authorizes. Resources are "*" or ARNs.
// Conditions use the String operators (StringEquals, StringNotEquals, their
// IgnoreCase forms, StringLike, StringNotLike), each also with the IfExists
// suffix and the ForAnyValue:/ForAllValues: prefixes, and Null, which SWF's
// own guide uses to forbid a second tag.
//
// Parse is stricter than IAM where IAM's leniency would hide a mistake that
// weakens a policy: duplicate members, condition keys in the swf: namespace
// that SWF does not define, actions that match nothing and policy variables
// (which this evaluator does not substitute) are all refused, with an error
// that names the place. Every error is a *ParseError.
func Parse(doc []byte) (*Policy, error) { return ParseFor(doc, nil) }

// ParseFor is Parse for one principal: in the 2012-10-17 language, the
// policy variables named in vars (lower-case, as "aws:username") are
// replaced by their values wherever IAM replaces them, in Resource and in
// condition values, as IAM replaces them for the principal making a
// request. Each value is the principal's own, the same in every request,
// so the replacement is done once, here. ${*}, ${?} and ${$} stand for
// those characters. Any other variable is refused (see checkVariables).
func ParseFor(doc []byte, vars map[string]string) (*Policy, error) {
	if len(doc) > MaxDocumentSize {
		return nil, &ParseError{Problem: fmt.Sprintf("document is %d bytes, more than the %d this server accepts (IAM's own limit is 10,240 characters)", len(doc), MaxDocumentSize)}
	}
	root, err := decodeJSON(doc)
	if err != nil {
		return nil, err
	}
	if root.kind != jObject {
		return nil, &ParseError{Problem: "a policy document must be a JSON object, not " + root.describe()}
	}
	if err := checkMembers("", &root, topMembers()); err != nil {
		return nil, err
	}
	p := &Policy{version: Version2008}
	var stmts *jnode
	for i := range root.members {
		m := &root.members[i]
		switch m.key {
		case "Version":
			if m.val.kind != jString {
				return nil, &ParseError{Place: "Version", Problem: "must be a string, not " + m.val.describe()}
			}
			if m.val.str != Version2012 && m.val.str != Version2008 {
				return nil, &ParseError{Place: "Version", Problem: fmt.Sprintf("unsupported version %q: use %q", m.val.str, Version2012)}
			}
			p.version = m.val.str
		case "Id":
			if m.val.kind != jString {
				return nil, &ParseError{Place: "Id", Problem: "must be a string, not " + m.val.describe()}
			}
			p.id = m.val.str
		case "Statement":
			stmts = &m.val
		}
	}
	if stmts == nil {
		return nil, &ParseError{Problem: "missing Statement"}
	}
	c := compiler{variables: p.version == Version2012, vars: vars, actions: swfActions()}
	switch stmts.kind {
	case jObject:
		st, err := c.statement("Statement", stmts, 0)
		if err != nil {
			return nil, err
		}
		p.add(st)
	case jArray:
		if len(stmts.items) == 0 {
			return nil, &ParseError{Place: "Statement", Problem: "has no statements"}
		}
		sids := map[string]int{}
		for i := range stmts.items {
			path := "Statement[" + strconv.Itoa(i) + "]"
			st, err := c.statement(path, &stmts.items[i], i)
			if err != nil {
				return nil, err
			}
			if st.sid != "" {
				if prev, dup := sids[st.sid]; dup {
					return nil, &ParseError{Place: path + ".Sid", Problem: fmt.Sprintf("duplicate Sid %q (also Statement[%d])", st.sid, prev)}
				}
				sids[st.sid] = i
			}
			p.add(st)
		}
	default:
		return nil, &ParseError{Place: "Statement", Problem: "must be an object or an array of objects, not " + stmts.describe()}
	}
	p.byAction = make(map[string]actionHits, len(c.actions))
	for _, a := range c.actions {
		var h actionHits
		for i := range p.deny {
			if p.deny[i].matchesAction(a) {
				h.deny = append(h.deny, int32(i))
			}
		}
		for i := range p.allow {
			if p.allow[i].matchesAction(a) {
				h.allow = append(h.allow, int32(i))
			}
		}
		p.byAction[a] = h
	}
	return p, nil
}

func (p *Policy) add(st statement) {
	for _, c := range st.conds {
		if p.reads == nil {
			p.reads = map[string]bool{}
		}
		p.reads[c.key] = true
	}
	if st.deny {
		p.deny = append(p.deny, st)
	} else {
		p.allow = append(p.allow, st)
	}
}

// The members a document and a statement may have.
func topMembers() []string { return []string{"Version", "Id", "Statement"} }

func statementMembers() []string {
	return []string{"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Principal", "NotPrincipal"}
}

// checkMembers refuses duplicate and unknown members of an object. Member
// names are case-sensitive in IAM; a near miss gets a hint.
func checkMembers(path string, n *jnode, known []string) error {
	seen := make(map[string]bool, len(n.members))
	for _, m := range n.members {
		if seen[m.key] {
			return &ParseError{Place: path, Problem: fmt.Sprintf("duplicate member %q", m.key)}
		}
		seen[m.key] = true
		ok := false
		hint := ""
		for _, k := range known {
			if m.key == k {
				ok = true
				break
			}
			if strings.EqualFold(m.key, k) {
				hint = fmt.Sprintf(" (member names are case-sensitive: did you mean %q?)", k)
			}
		}
		if !ok {
			what := "unknown member"
			if path == "" {
				what = "unknown top-level member"
			}
			return &ParseError{Place: path, Problem: fmt.Sprintf("%s %q%s", what, m.key, hint)}
		}
	}
	return nil
}

// compiler carries what statement compilation needs from the document.
type compiler struct {
	// vars are the policy variables ParseFor replaces.
	vars      map[string]string
	variables bool     // the 2012-10-17 language, where ${...} would be a policy variable
	actions   []string // every action SWF authorizes, "swf:Name"
}

// statement compiles one statement found at path.
func (c *compiler) statement(path string, n *jnode, index int) (statement, error) {
	st := statement{index: index}
	if n.kind != jObject {
		return st, &ParseError{Place: path, Problem: "a statement must be an object, not " + n.describe()}
	}
	if err := checkMembers(path, n, statementMembers()); err != nil {
		return st, err
	}
	var effect, action, notAction, resource, notResource, cond *jnode
	for i := range n.members {
		m := &n.members[i]
		switch m.key {
		case "Sid":
			if m.val.kind != jString {
				return st, &ParseError{Place: path + ".Sid", Problem: "must be a string, not " + m.val.describe()}
			}
			st.sid = m.val.str
		case "Effect":
			effect = &m.val
		case "Action":
			action = &m.val
		case "NotAction":
			notAction = &m.val
		case "Resource":
			resource = &m.val
		case "NotResource":
			notResource = &m.val
		case "Condition":
			cond = &m.val
		case "Principal", "NotPrincipal":
			return st, &ParseError{Place: path + "." + m.key, Problem: "not allowed: these are identity policies, attached to the caller, so they name no principal"}
		}
	}

	switch {
	case effect == nil:
		return st, &ParseError{Place: path, Problem: "missing Effect"}
	case effect.kind != jString:
		return st, &ParseError{Place: path + ".Effect", Problem: "must be a string, not " + effect.describe()}
	case effect.str == "Deny":
		st.deny = true
	case effect.str != "Allow":
		return st, &ParseError{Place: path + ".Effect", Problem: fmt.Sprintf(`must be "Allow" or "Deny", not %q`, effect.str)}
	}

	name := "Action"
	switch {
	case action != nil && notAction != nil:
		return st, &ParseError{Place: path, Problem: "has both Action and NotAction: give exactly one"}
	case action == nil && notAction == nil:
		return st, &ParseError{Place: path, Problem: "missing Action (or NotAction)"}
	case notAction != nil:
		action, name, st.notAction = notAction, "NotAction", true
	}
	var err error
	if st.actions, err = c.actionList(path+"."+name, action); err != nil {
		return st, err
	}

	name = "Resource"
	switch {
	case resource != nil && notResource != nil:
		return st, &ParseError{Place: path, Problem: "has both Resource and NotResource: give exactly one"}
	case resource == nil && notResource == nil:
		return st, &ParseError{Place: path, Problem: "missing Resource (or NotResource): an identity policy must say what it applies to"}
	case notResource != nil:
		resource, name, st.notResource = notResource, "NotResource", true
	}
	if st.resources, err = c.resourceList(path+"."+name, resource); err != nil {
		return st, err
	}

	if cond != nil {
		if st.conds, err = c.conditions(path+".Condition", cond); err != nil {
			return st, err
		}
	}
	return st, nil
}

// stringList reads a member that IAM lets be one string or an array of
// them, returning each string with its path.
func stringList(path string, n *jnode) ([]string, []string, error) {
	switch n.kind {
	case jString:
		return []string{n.str}, []string{path}, nil
	case jArray:
		if len(n.items) == 0 {
			return nil, nil, &ParseError{Place: path, Problem: "must not be an empty array"}
		}
		vals := make([]string, len(n.items))
		paths := make([]string, len(n.items))
		for i := range n.items {
			paths[i] = path + "[" + strconv.Itoa(i) + "]"
			if n.items[i].kind != jString {
				return nil, nil, &ParseError{Place: paths[i], Problem: "must be a string, not " + n.items[i].describe()}
			}
			vals[i] = n.items[i].str
		}
		return vals, paths, nil
	}
	return nil, nil, &ParseError{Place: path, Problem: "must be a string or an array of strings, not " + n.describe()}
}

// actionList compiles Action or NotAction.
func (c *compiler) actionList(path string, n *jnode) ([]pattern, error) {
	vals, paths, err := stringList(path, n)
	if err != nil {
		return nil, err
	}
	out := make([]pattern, len(vals))
	for i, v := range vals {
		if err := c.checkAction(v); err != nil {
			return nil, &ParseError{Place: paths[i], Problem: err.Error()}
		}
		// The whole text is compiled, "swf:" included, so that the service
		// prefix is compared case-insensitively along with the name.
		out[i] = compilePattern(v, true)
	}
	return out, nil
}

// checkAction accepts "*" and "swf:NAME" where NAME is letters and digits
// with wildcards, and requires it to name or match something SWF
// authorizes: a misspelt action in a Deny would otherwise deny nothing,
// silently. Another service's action ("s3:GetObject") is accepted, as IAM
// accepts it in any policy: it matches no SWF call, here as on AWS, so a
// policy written for several services works unchanged.
func (c *compiler) checkAction(v string) error {
	if v == "*" {
		return nil
	}
	colon := strings.IndexByte(v, ':')
	if colon < 0 {
		return fmt.Errorf(`%q is not an SWF action: write "*" or "swf:" and an action name`, v)
	}
	name := v[colon+1:]
	if !strings.EqualFold(v[:colon], "swf") {
		if servicePrefix(v[:colon]) && name != "" && actionName(name) {
			return nil
		}
		return fmt.Errorf(`%q is not an SWF action: write "*" or "swf:" and an action name`, v)
	}
	if name == "" {
		return fmt.Errorf("%q has no action name after \"swf:\"", v)
	}
	for _, r := range name {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '*' || r == '?') {
			return fmt.Errorf("action %q has the character %q: names are letters and digits, with * and ? as wildcards", v, r)
		}
	}
	p := compilePattern(v, true)
	if len(p.s) > maxActionPattern {
		return fmt.Errorf("action %q is too long to match any SWF action", v)
	}
	for _, a := range c.actions {
		if p.match(a) {
			return nil
		}
	}
	if p.kind == matchExact {
		return fmt.Errorf("unknown action %q", v)
	}
	return fmt.Errorf("%q matches no SWF action", v)
}

// servicePrefix reports whether s is written as an AWS service prefix
// ("s3", "states", "iam"): letters, digits and hyphens, no wildcard.
func servicePrefix(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// actionName reports whether s is written as an action name: letters and
// digits, with * and ? as wildcards.
func actionName(s string) bool {
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '*' || r == '?') {
			return false
		}
	}
	return true
}

// maxActionPattern bounds an action pattern once its runs of stars are
// collapsed. Every character other than "*" takes at least one character
// of the name, and no SWF action has more than 50, so a longer pattern
// matches nothing; refusing it early also bounds the matching Parse does
// against every action.
const maxActionPattern = 128

// swfActions lists every action SWF authorizes: one per API operation and
// one per decision of the pseudo API, except ScheduleLambdaFunction, which
// SWF never checks (see Scope.Decisions). It is built from swfapi's tables
// so that an operation added there is known here too.
func swfActions() []string {
	ops := swfapi.Operations()
	decisions := swfapi.DecisionTypeValues()
	out := make([]string, 0, len(ops)+len(decisions))
	for _, op := range ops {
		out = append(out, "swf:"+op.Name)
	}
	for _, d := range decisions {
		if decisionChecked(swfapi.DecisionType(d)) {
			out = append(out, "swf:"+d)
		}
	}
	return out
}

// resourceList compiles Resource or NotResource.
func (c *compiler) resourceList(path string, n *jnode) ([]arnPattern, error) {
	vals, paths, err := stringList(path, n)
	if err != nil {
		return nil, err
	}
	out := make([]arnPattern, len(vals))
	for i, v := range vals {
		v, err := c.substitute(v)
		if err != nil {
			return nil, &ParseError{Place: paths[i], Problem: err.Error()}
		}
		a, ok := compileARN(v)
		if !ok {
			return nil, &ParseError{Place: paths[i], Problem: fmt.Sprintf(`%q is neither "*" nor an ARN (arn:partition:service:region:account:resource)`, v)}
		}
		out[i] = a
	}
	return out, nil
}

// substitute replaces the policy variables of v, in the 2012-10-17
// language (in 2008-10-17, "${" is plain text, as in IAM). A variable this
// server has no value for is refused: IAM would replace it with a value
// from the request, and taking it literally instead would make an Allow
// never match (harmless) but a Deny never match either (a hole).
func (c *compiler) substitute(v string) (string, error) {
	if !c.variables || !strings.Contains(v, "${") {
		return v, nil
	}
	var b strings.Builder
	rest := v
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("policy variable in %q has no closing brace", v)
		}
		name := rest[i+2 : i+end]
		b.WriteString(rest[:i])
		switch name {
		case "*", "?", "$":
			b.WriteString(name)
		default:
			val, ok := c.vars[asciiToLower(name)]
			if !ok {
				return "", fmt.Errorf("policy variable ${%s} has no value here (a principal's policies may use ${aws:username} and ${aws:PrincipalAccount}, and ${*}, ${?}, ${$} for those characters)", name)
			}
			if strings.ContainsAny(val, "*?") {
				// IAM's names cannot hold them; here they would widen
				// the pattern the variable stands in.
				return "", fmt.Errorf("policy variable ${%s} would be %q, and a wildcard cannot come from a variable", name, val)
			}
			b.WriteString(val)
		}
		rest = rest[i+end+1:]
	}
}

// operator looks up a condition operator by its lower-case base name.
func operator(base string) (op opKind, negated, ok bool) {
	switch base {
	case "stringequals":
		return opEquals, false, true
	case "stringnotequals":
		return opEquals, true, true
	case "stringequalsignorecase":
		return opEqualsFold, false, true
	case "stringnotequalsignorecase":
		return opEqualsFold, true, true
	case "stringlike":
		return opLike, false, true
	case "stringnotlike":
		return opLike, true, true
	case "null":
		return opNull, false, true
	}
	return 0, false, false
}

// conditions compiles a Condition block into one condition per key; the
// statement needs all of them to hold.
func (c *compiler) conditions(path string, n *jnode) ([]condition, error) {
	if n.kind != jObject {
		return nil, &ParseError{Place: path, Problem: "must be an object of operators, not " + n.describe()}
	}
	if len(n.members) == 0 {
		return nil, &ParseError{Place: path, Problem: "has no operators"}
	}
	var out []condition
	seenOps := map[string]bool{}
	for i := range n.members {
		m := &n.members[i]
		proto, err := parseOperator(m.key)
		if err != nil {
			return nil, &ParseError{Place: path, Problem: err.Error()}
		}
		canon := strings.ToLower(m.key)
		if seenOps[canon] {
			return nil, &ParseError{Place: path, Problem: fmt.Sprintf("duplicate operator %q", m.key)}
		}
		seenOps[canon] = true
		opPath := path + "." + m.key
		if m.val.kind != jObject {
			return nil, &ParseError{Place: opPath, Problem: "must be an object of condition keys, not " + m.val.describe()}
		}
		if len(m.val.members) == 0 {
			return nil, &ParseError{Place: opPath, Problem: "has no condition keys"}
		}
		seenKeys := map[string]bool{}
		for j := range m.val.members {
			km := &m.val.members[j]
			keyPath := opPath + "[" + strconv.Quote(km.key) + "]"
			key, err := checkKey(km.key)
			if err != nil {
				return nil, &ParseError{Place: keyPath, Problem: err.Error()}
			}
			if seenKeys[key] {
				return nil, &ParseError{Place: opPath, Problem: fmt.Sprintf("duplicate condition key %q", km.key)}
			}
			seenKeys[key] = true
			cd := proto
			cd.key = key
			if err := c.conditionValues(keyPath, &km.val, &cd); err != nil {
				return nil, err
			}
			out = append(out, cd)
		}
	}
	return out, nil
}

// parseOperator reads "[ForAnyValue:|ForAllValues:]Base[IfExists]".
// Operator names are matched without regard to case.
func parseOperator(name string) (condition, error) {
	var cd condition
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(lower, "foranyvalue:"):
		cd.qual, lower = qualAnyValue, lower[len("foranyvalue:"):]
	case strings.HasPrefix(lower, "forallvalues:"):
		cd.qual, lower = qualAllValues, lower[len("forallvalues:"):]
	}
	if base, ok := strings.CutSuffix(lower, "ifexists"); ok {
		cd.ifExists, lower = true, base
	}
	op, negated, ok := operator(lower)
	if !ok {
		return cd, fmt.Errorf("unknown operator %q (supported: the String operators, their IfExists forms, and Null)", name)
	}
	if op == opNull && (cd.ifExists || cd.qual != qualNone) {
		return cd, fmt.Errorf("operator %q: Null takes no IfExists suffix and no set prefix", name)
	}
	cd.op, cd.negated = op, negated
	return cd, nil
}

// checkKey validates a condition key's name and returns it lower-cased,
// the form Evaluate looks up. Names are "prefix:name".
//
// A key a request lacks makes a Deny with StringEquals never apply, so a
// key that AWS would fill in but this server does not must be refused
// rather than silently never match. Keys inside swf: must be ones SWF
// defines (a misspelt key is absent from every request). Of AWS's global
// keys (aws:...), only those the server fills in are accepted:
// aws:ResourceTag/KEY, the tags of the domain a call acts in, which SWF
// documents for its tag-based policies (see the caller's DomainTags), and
// the GlobalKeys, which describe the caller and the region. Keys of other
// services (s3:prefix, say) are accepted: AWS never sets them on an SWF
// call either, so they are absent here just as there.
func checkKey(name string) (string, error) {
	colon := strings.IndexByte(name, ':')
	if colon <= 0 || colon == len(name)-1 {
		return "", fmt.Errorf("%q is not a condition key: keys are written prefix:name, as in \"swf:taskList.name\"", name)
	}
	key := asciiToLower(name)
	switch {
	case strings.HasPrefix(key, "swf:") && !isSWFKey(key):
		return "", fmt.Errorf("unknown SWF condition key %q", name)
	case strings.HasPrefix(key, KeyResourceTag):
		if len(key) == len(KeyResourceTag) {
			return "", fmt.Errorf("condition key %q names no tag: write aws:ResourceTag/KEY", name)
		}
	case strings.HasPrefix(key, "aws:") && !slices.Contains(GlobalKeys, key):
		return "", fmt.Errorf("condition key %q is one this server does not supply (of AWS's global keys it fills in aws:ResourceTag/KEY, aws:RequestedRegion, aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalType and aws:username): a condition on it could never be judged as AWS judges it", name)
	}
	return key, nil
}

// GlobalKeys are the global condition keys, lower-case, besides
// aws:ResourceTag/KEY, that the caller of Evaluate fills in: the region
// requested and the principal's account, ARN, type and name, the same for
// every request of a principal on one server.
var GlobalKeys = []string{"aws:requestedregion", "aws:principalaccount", "aws:principalarn", "aws:principaltype", "aws:username"}

// KeyResourceTag begins the condition key of one of a domain's tags,
// lower-case: "aws:resourcetag/" and the tag's key, also lower-case, since
// IAM matches the tag key of these condition keys without regard to case.
const KeyResourceTag = "aws:resourcetag/"

// ResourceTagKey is the condition key, as Request.Keys holds it, of a
// domain's tag with key tagKey: lower-cased as Parse lower-cases the keys
// a policy names.
func ResourceTagKey(tagKey string) string { return asciiToLower(KeyResourceTag + tagKey) }

// Reads reports whether a condition of the policy reads key, given as
// Request.Keys holds it (KeyTaskListName, say), so that a caller works out
// a key that costs a lookup only for the policies that need it.
func (p *Policy) Reads(key string) bool { return p.reads[key] }

// UsesResourceTags reports whether a condition of the policy reads a
// resource tag, so that a caller fetches a domain's tags only for the
// policies that need them. It looks at every key read: ask it once, not
// per request.
func (p *Policy) UsesResourceTags() bool {
	for key := range p.reads {
		if strings.HasPrefix(key, KeyResourceTag) {
			return true
		}
	}
	return false
}

// conditionValues reads a key's value or values into cd.
func (c *compiler) conditionValues(path string, n *jnode, cd *condition) error {
	var items []jnode
	var paths []string
	switch n.kind {
	case jArray:
		if len(n.items) == 0 {
			return &ParseError{Place: path, Problem: "must not be an empty array"}
		}
		items = n.items
		for i := range items {
			paths = append(paths, path+"["+strconv.Itoa(i)+"]")
		}
	default:
		items = []jnode{*n}
		paths = []string{path}
	}
	for i := range items {
		it := &items[i]
		if cd.op == opNull {
			// Null reads a boolean; IAM takes it as JSON or as text.
			switch {
			case it.kind == jBool:
				cd.nullWant = append(cd.nullWant, it.b)
			case it.kind == jString && (strings.EqualFold(it.str, "true") || strings.EqualFold(it.str, "false")):
				cd.nullWant = append(cd.nullWant, strings.EqualFold(it.str, "true"))
			default:
				return &ParseError{Place: paths[i], Problem: `Null takes "true" (the key must be absent) or "false" (it must be present)`}
			}
			continue
		}
		// IAM compares a number or a boolean given to a string operator
		// as the text it is written as ("swf:version": 1 is "1").
		switch it.kind {
		case jString:
		case jNumber:
		case jBool:
			it.str = strconv.FormatBool(it.b)
		default:
			return &ParseError{Place: paths[i], Problem: "must be a string, not " + it.describe()}
		}
		str, err := c.substitute(it.str)
		if err != nil {
			return &ParseError{Place: paths[i], Problem: err.Error()}
		}
		it.str = str
		if cd.op == opLike {
			cd.likes = append(cd.likes, compilePattern(it.str, false))
		} else {
			cd.values = append(cd.values, it.str)
		}
	}
	return nil
}

// asciiToLower lower-cases ASCII letters only, matching asciiEqualFold.
func asciiToLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
