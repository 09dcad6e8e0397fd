package swfapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ValidationError is a request that breaks one or more of the model's
// constraints. Its message has the form AWS's front end gives it, which SDKs
// show to users verbatim.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	noun := "error"
	if len(e.Problems) > 1 {
		noun = "errors"
	}
	return fmt.Sprintf("%d validation %s detected: %s", len(e.Problems), noun, strings.Join(e.Problems, "; "))
}

// NewValidationError reports one constraint that a value breaks, worded as
// the model's constraints are.
func NewValidationError(value, path, constraint string) *ValidationError {
	return &ValidationError{Problems: []string{Problem(value, path, constraint)}}
}

// Problem words one constraint that a value breaks, as one problem of a
// ValidationError.
func Problem(value, path, constraint string) string {
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, path, constraint)
}

// DurationProblem is the problem with v, a timeout at path, or "": SWF's
// timeouts are NONE or a whole number of seconds. An absent one is none.
func DurationProblem(path string, v *string) string {
	if v == nil || *v == "NONE" {
		return ""
	}
	if *v == "" || strings.TrimLeft(*v, "0123456789") != "" {
		return Problem(*v, path, "Member must be NONE or a whole number of seconds")
	}
	return ""
}

// PriorityProblem is the problem with v, a task priority at path, or "":
// SWF takes a whole number in Java's int range.
func PriorityProblem(path string, v *string) string {
	if v == nil {
		return ""
	}
	if _, err := strconv.ParseInt(*v, 10, 32); err != nil {
		return Problem(*v, path, "Member must be an integer from -2147483648 to 2147483647")
	}
	return ""
}

// SWF forbids some characters in the names it uses inside ARNs and its own
// messages (domains, type names and versions, workflow, activity and timer
// ids, task lists): no ':', '/', '|', no control characters (U+0000–U+001F,
// U+007F–U+009F), and not the literal string "arn". The model's
// documentation says so; its constraints cannot, so the service and the
// engine check them with NameProblem and NameEdgeProblem.
const (
	nameRule     = "Member must not contain ':', '/', '|' or control characters, and must not be the literal string 'arn'"
	nameEdgeRule = "Member must not start or end with whitespace"
)

func badNameChar(r rune) bool {
	return r == ':' || r == '/' || r == '|' || r <= 0x1f || (r >= 0x7f && r <= 0x9f)
}

// NameProblem is the problem with name at path, worded as a validation
// error's, or "" when it keeps SWF's name rule.
func NameProblem(path, name string) string {
	if name == "arn" || strings.IndexFunc(name, badNameChar) >= 0 {
		return Problem(name, path, nameRule)
	}
	return ""
}

// NameEdgeProblem adds the rule of the names SWF also forbids white space
// at either end of (domain names, and some task lists).
func NameEdgeProblem(path, name string) string {
	if p := NameProblem(path, name); p != "" {
		return p
	}
	if name != strings.TrimFunc(name, unicode.IsSpace) {
		return Problem(name, path, nameEdgeRule)
	}
	return ""
}

// validator collects constraint violations. The path of the member being
// checked is kept as a stack of segments so that nothing is allocated for a
// valid request.
type validator struct {
	segments []string
	problems []string
}

func (e *validator) push(name string) { e.segments = append(e.segments, name) }

// pushIndex enters element i of a list: AWS numbers list members from 1 and
// names them "N.member".
func (e *validator) pushIndex(i int) { e.segments = append(e.segments, strconv.Itoa(i+1)+".member") }

func (e *validator) pop() { e.segments = e.segments[:len(e.segments)-1] }

func (e *validator) path(name string) string {
	parts := e.segments
	if name != "" {
		parts = append(parts[:len(parts):len(parts)], name)
	}
	return strings.Join(parts, ".")
}

func (e *validator) add(value, name, constraint string) {
	e.problems = append(e.problems, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", value, e.path(name), constraint))
}

func (e *validator) null(name string) {
	e.add("null", name, "Member must not be null")
}

func (e *validator) length(name, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	if min >= 0 && n < min {
		e.add(quote(s), name, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	if max >= 0 && n > max {
		e.add(quote(s), name, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

func (e *validator) listLength(name string, list any, n, min, max int) {
	if min >= 0 && n < min {
		e.add(quote(renderList(list)), name, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	if max >= 0 && n > max {
		e.add(quote(renderList(list)), name, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

func (e *validator) rangeCheck(name string, v int64, min, max int64) {
	if min >= 0 && v < min {
		e.add(quote(strconv.FormatInt(v, 10)), name, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	}
	if max >= 0 && v > max {
		e.add(quote(strconv.FormatInt(v, 10)), name, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

func (e *validator) enum(name, v string, values []string) {
	e.add(quote(v), name, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

func (e *validator) err() error {
	if len(e.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: e.problems}
}

func quote(s string) string { return "'" + s + "'" }

// renderList writes a list the way the messages of AWS's validator show one:
// "[a, b]".
func renderList(list any) string {
	if ss, ok := list.([]string); ok {
		return "[" + strings.Join(ss, ", ") + "]"
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "[...]"
	}
	return string(b)
}

// Shape is every structure of the model: each can check itself.
type Shape interface{ validate(*validator) }

// ProblemsAt returns what breaks the model's constraints in v, a structure
// of the model (such as a *StartTimerDecisionAttributes), as if it stood at
// path in a request. The engine uses it for the members of a decision whose
// attributes structure is missing altogether: AWS reports them inside it.
func ProblemsAt(path string, v Shape) []string {
	if v == nil {
		return nil
	}
	var e validator
	if path != "" {
		e.push(path)
	}
	v.validate(&e)
	return e.problems
}
