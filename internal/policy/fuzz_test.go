package policy

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/openswf/openswf/internal/swfapi"
)

// FuzzParse feeds Parse arbitrary documents: it must never panic, and a
// document it accepts must evaluate, without panicking and with a
// consistent verdict, on arbitrary requests.
func FuzzParse(f *testing.F) {
	for _, doc := range []string{
		guideFullAccess, guideDomains, guideStarter, guideOptionalTaskList, guideInsecureTags,
		guideSecureTags, guideDecider, guideFilters, guideResourceTag, activityWorker, adminWithGuards, denyProduction,
		`{"Statement": {"Effect": "Deny", "NotAction": "swf:*Task?", "NotResource": ["arn:a*:swf:?:*:/domain/*x*"],
		  "Condition": {"ForAnyValue:StringNotLikeIfExists": {"swf:name": ["*a*a*a*b", "?"]}, "Null": {"aws:x": [true, "false"]}}}}`,
		`{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`,
		`{"Statement": [`, `[]`, `{"Statement": {"Effect": "Allow", "Action": "swf:Kill*", "Resource": "*"}}`,
	} {
		f.Add([]byte(doc), "swf:PollForActivityTask", "arn:aws:swf:us-east-1:123456789012:/domain/orders", "swf:taskList.name", "payments-1")
	}
	f.Fuzz(func(t *testing.T, doc []byte, action, resource, key, value string) {
		p, err := Parse(doc)
		if err != nil {
			if p != nil {
				t.Fatal("Parse returned a policy and an error")
			}
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			return
		}
		policies := []*Policy{p}
		requests := []Request{
			{Action: action, Resource: resource, Keys: map[string]string{key: value}},
			{Action: action, Resource: resource},
			testScope.Call("PollForActivityTask", &swfapi.PollForActivityTaskInput{Domain: &value, TaskList: &swfapi.TaskList{Name: &key}}, ""),
			testScope.Call("StartWorkflowExecution", &swfapi.StartWorkflowExecutionInput{Domain: &value, TagList: []string{key, value}}, ""),
		}
		for _, req := range requests {
			v := Evaluate(policies, req)
			switch {
			case v.Allowed && v.ExplicitDeny:
				t.Fatalf("both allowed and denied: %+v", v)
			case v.Allowed || v.ExplicitDeny:
				if v.Policy != 0 || v.Statement < 0 {
					t.Fatalf("decided by %+v", v)
				}
			case v.Policy != -1 || v.Statement != -1 || v.Sid != "":
				t.Fatalf("default deny names a statement: %+v", v)
			}
			if again := Evaluate(policies, req); again != v {
				t.Fatalf("verdict changed: %+v then %+v", v, again)
			}
		}
	})
}

// FuzzGlob checks the linear matcher against a plain dynamic-programming
// one over runes.
func FuzzGlob(f *testing.F) {
	f.Add("a*b?c", "axxbyc", false)
	f.Add("*é?", "ééé", false)
	f.Add("AB*", "abc", true)
	f.Fuzz(func(t *testing.T, p, s string, fold bool) {
		want := globReference(p, s, fold)
		if got := globMatch(p, s, fold); got != want {
			t.Fatalf("globMatch(%q, %q, %v) = %v, reference says %v", p, s, fold, got, want)
		}
		pat := compilePattern(p, fold)
		if got := pat.match(s); got != want {
			t.Fatalf("compiled %q (kind %d) on %q = %v, reference says %v", p, pat.kind, s, got, want)
		}
	})
}

// globReference is the textbook O(len(p)*len(s)) table, over characters
// as UTF-8 decoding splits them (an invalid byte is one character, equal
// only to itself).
func globReference(pattern, str string, fold bool) bool {
	chars := func(x string) []string {
		var out []string
		for len(x) > 0 {
			_, w := utf8.DecodeRuneInString(x)
			out = append(out, x[:w])
			x = x[w:]
		}
		return out
	}
	p, s := chars(pattern), chars(str)
	// m[j] is whether p[:i] matches s[:j], for the current i.
	m := make([]bool, len(s)+1)
	m[0] = true
	for i := 1; i <= len(p); i++ {
		next := make([]bool, len(s)+1)
		switch p[i-1] {
		case "*":
			next[0] = m[0]
			for j := 1; j <= len(s); j++ {
				next[j] = m[j] || next[j-1]
			}
		case "?":
			for j := 1; j <= len(s); j++ {
				next[j] = m[j-1]
			}
		default:
			for j := 1; j <= len(s); j++ {
				a, b := p[i-1], s[j-1]
				next[j] = m[j-1] && (a == b || fold && len(a) == 1 && len(b) == 1 && asciiLower(rune(a[0])) == asciiLower(rune(b[0])))
			}
		}
		m = next
	}
	return m[len(s)]
}

// FuzzARN checks compiled Resource patterns against a plain reading of
// IAM's rule: six colon-separated parts, each matched on its own, the last
// one taking any colons that remain.
func FuzzARN(f *testing.F) {
	f.Add("arn:aws:swf:*:123456789012:/domain/*", "arn:aws:swf:us-east-1:123456789012:/domain/orders")
	f.Add("arn:aws:swf:us-east-?:1:/domain/o*", "arn:aws:swf:us-east-1:1:/domain/x:1:/domain/o")
	f.Add("arn:*:*:*:*:*", "arn:a:b:c:d:e:f")
	f.Fuzz(func(t *testing.T, p, v string) {
		a, ok := compileARN(p)
		ps := strings.SplitN(p, ":", 6)
		wantOK := p == "*" || (len(ps) == 6 && ps[0] == "arn")
		if ok != wantOK {
			t.Fatalf("compileARN(%q) ok = %v", p, ok)
		}
		if !ok {
			return
		}
		want := true
		if p != "*" {
			vs := strings.SplitN(v, ":", 6)
			want = len(vs) == 6
			for i := 0; want && i < 6; i++ {
				want = globReference(ps[i], vs[i], false)
			}
		}
		if got := a.match(v); got != want {
			t.Fatalf("pattern %q on %q = %v, reference says %v", p, v, got, want)
		}
	})
}
