package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

// Every bad document is refused with an error that names the place at
// fault, so that a user can find it in their document.
func TestParseErrors(t *testing.T) {
	// stmt wraps one statement's members in a valid document.
	stmt := func(members string) string {
		return `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {` + members + `}]}`
	}
	tests := []struct {
		name, doc, want string
	}{
		// JSON syntax, located by line and column.
		{"empty", ``, `line 1, column 1: unexpected end of JSON input`},
		{"syntax", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"*\"}\n  ]\n}", `line 4, column 24: invalid character '"' after object key:value pair`},
		{"bad literal", "{\n\t\"Statement\": tru\n}", `line 2, column 18: invalid character '\n' in literal true (expecting 'e')`},
		{"trailing comma", `{"Statement": [],}`, `line 1, column 18: invalid character '}' looking for beginning of object key string`},
		{"truncated", `{"Statement": [`, `line 1, column 16: unexpected end of JSON input`},
		{"trailing data", `{} {}`, `line 1, column 4: invalid character '{' after top-level value`},
		{"column counts characters", `{"Id": "ééé" x}`, `line 1, column 14: invalid character 'x' after object key:value pair`},
		{"invalid UTF-8", "{\"Id\": \"a\xffb\"}", `line 1, column 10: invalid UTF-8`},
		{"too deep", `{"Statement": {"Condition": {"StringEquals": {"k:k": [[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]}}}}`, `line 1, column 67: nested more than 16 levels deep`},

		// The document.
		{"not an object", `["Statement"]`, `a policy document must be a JSON object, not an array`},
		{"unknown top-level member", `{"Statement": [], "Foo": 1}`, `unknown top-level member "Foo"`},
		{"top-level case", `{"statement": []}`, `unknown top-level member "statement" (member names are case-sensitive: did you mean "Statement"?)`},
		{"duplicate top-level", `{"Id": "a", "Id": "b", "Statement": []}`, `duplicate member "Id"`},
		{"version type", `{"Version": 2012, "Statement": []}`, `Version: must be a string, not a number`},
		{"version value", `{"Version": "2012-10-18", "Statement": []}`, `Version: unsupported version "2012-10-18": use "2012-10-17"`},
		{"id type", `{"Id": null, "Statement": []}`, `Id: must be a string, not null`},
		{"no statement", `{"Version": "2012-10-17"}`, `missing Statement`},
		{"empty statement list", `{"Statement": []}`, `Statement: has no statements`},
		{"statement type", `{"Statement": "Allow"}`, `Statement: must be an object or an array of objects, not a string`},
		{"statement item type", `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, 3]}`, `Statement[1]: a statement must be an object, not a number`},

		// Statements.
		{"missing effect", stmt(`"Action": "*", "Resource": "*"`), `Statement[1]: missing Effect`},
		{"effect case", stmt(`"Effect": "allow", "Action": "*", "Resource": "*"`), `Statement[1].Effect: must be "Allow" or "Deny", not "allow"`},
		{"effect type", stmt(`"Effect": true, "Action": "*", "Resource": "*"`), `Statement[1].Effect: must be a string, not a boolean`},
		{"unknown member", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Actions": "*"`), `Statement[1]: unknown member "Actions"`},
		{"member case", stmt(`"Effect": "Allow", "action": "*", "Resource": "*"`), `Statement[1]: unknown member "action" (member names are case-sensitive: did you mean "Action"?)`},
		{"duplicate member", stmt(`"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"`), `Statement[1]: duplicate member "Effect"`},
		{"principal", stmt(`"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"`), `Statement[1].Principal: not allowed: these are identity policies, attached to the caller, so they name no principal`},
		{"not principal", `{"Statement": {"Effect": "Allow", "NotPrincipal": {"AWS": "x"}, "Action": "*", "Resource": "*"}}`, `Statement.NotPrincipal: not allowed: these are identity policies, attached to the caller, so they name no principal`},
		{"sid type", stmt(`"Sid": 1, "Effect": "Allow", "Action": "*", "Resource": "*"`), `Statement[1].Sid: must be a string, not a number`},
		{"duplicate sid", `{"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}]}`, `Statement[1].Sid: duplicate Sid "A" (also Statement[0])`},
		{"missing action", stmt(`"Effect": "Allow", "Resource": "*"`), `Statement[1]: missing Action (or NotAction)`},
		{"both actions", stmt(`"Effect": "Allow", "Action": "*", "NotAction": "swf:Poll*", "Resource": "*"`), `Statement[1]: has both Action and NotAction: give exactly one`},
		{"missing resource", stmt(`"Effect": "Allow", "Action": "*"`), `Statement[1]: missing Resource (or NotResource): an identity policy must say what it applies to`},
		{"both resources", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "NotResource": "*"`), `Statement[1]: has both Resource and NotResource: give exactly one`},

		// Actions.
		{"action type", stmt(`"Effect": "Allow", "Action": {"swf": "*"}, "Resource": "*"`), `Statement[1].Action: must be a string or an array of strings, not an object`},
		{"action item type", stmt(`"Effect": "Allow", "Action": ["swf:StartTimer", 7], "Resource": "*"`), `Statement[1].Action[1]: must be a string, not a number`},
		{"empty action list", stmt(`"Effect": "Allow", "Action": [], "Resource": "*"`), `Statement[1].Action: must not be an empty array`},
		{"other service's wildcard prefix", stmt(`"Effect": "Allow", "Action": ["swf:StartTimer", "s3*:GetObject"], "Resource": "*"`), `Statement[1].Action[1]: "s3*:GetObject" is not an SWF action: write "*" or "swf:" and an action name`},
		{"bare name", stmt(`"Effect": "Allow", "Action": "PollForActivityTask", "Resource": "*"`), `Statement[1].Action: "PollForActivityTask" is not an SWF action: write "*" or "swf:" and an action name`},
		{"service wildcard", stmt(`"Effect": "Allow", "NotAction": "s*:Poll*", "Resource": "*"`), `Statement[1].NotAction: "s*:Poll*" is not an SWF action: write "*" or "swf:" and an action name`},
		{"no name", stmt(`"Effect": "Allow", "Action": "swf:", "Resource": "*"`), `Statement[1].Action: "swf:" has no action name after "swf:"`},
		{"bad character", stmt(`"Effect": "Allow", "Action": "swf:Poll For", "Resource": "*"`), `Statement[1].Action: action "swf:Poll For" has the character ' ': names are letters and digits, with * and ? as wildcards`},
		{"unknown action", stmt(`"Effect": "Deny", "Action": "swf:PollForActivityTsk", "Resource": "*"`), `Statement[1].Action: unknown action "swf:PollForActivityTsk"`},
		{"lambda is not an action", stmt(`"Effect": "Deny", "Action": "swf:ScheduleLambdaFunction", "Resource": "*"`), `Statement[1].Action: unknown action "swf:ScheduleLambdaFunction"`},
		{"pattern matches nothing", stmt(`"Effect": "Deny", "Action": "swf:Kill*", "Resource": "*"`), `Statement[1].Action: "swf:Kill*" matches no SWF action`},

		// Resources.
		{"resource type", stmt(`"Effect": "Allow", "Action": "*", "Resource": 5`), `Statement[1].Resource: must be a string or an array of strings, not a number`},
		{"resource not ARN", stmt(`"Effect": "Allow", "Action": "*", "Resource": ["*", "domain/orders"]`), `Statement[1].Resource[1]: "domain/orders" is neither "*" nor an ARN (arn:partition:service:region:account:resource)`},
		{"resource short ARN", stmt(`"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:swf:*"`), `Statement[1].NotResource: "arn:aws:swf:*" is neither "*" nor an ARN (arn:partition:service:region:account:resource)`},
		{"policy variable", stmt(`"Effect": "Allow", "Action": "*", "Resource": "arn:aws:swf:*:*:/domain/${aws:SourceIp}"`), `Statement[1].Resource: policy variable ${aws:SourceIp} has no value here (a principal's policies may use ${aws:username} and ${aws:PrincipalAccount}, and ${*}, ${?}, ${$} for those characters)`},
		{"unclosed variable", stmt(`"Effect": "Allow", "Action": "*", "Resource": "arn:aws:swf:*:*:/domain/${aws:username"`), `Statement[1].Resource: policy variable in "arn:aws:swf:*:*:/domain/${aws:username" has no closing brace`},

		// Conditions.
		{"unknown operator", `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Allow", "Action": "*", "Resource": "*"},
			{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualz": {"swf:taskList.name": "x"}}}]}`,
			`Statement[2].Condition: unknown operator "StringEqualz" (supported: the String operators, their IfExists forms, and Null)`},
		{"unsupported operator", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"swf:taskList.name": "1"}}`), `Statement[1].Condition: unknown operator "NumericEquals" (supported: the String operators, their IfExists forms, and Null)`},
		{"null if exists", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NullIfExists": {"swf:taskList.name": "true"}}`), `Statement[1].Condition: operator "NullIfExists": Null takes no IfExists suffix and no set prefix`},
		{"condition type", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": []`), `Statement[1].Condition: must be an object of operators, not an array`},
		{"empty condition", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}`), `Statement[1].Condition: has no operators`},
		{"operator type", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": "swf:taskList.name"}`), `Statement[1].Condition.StringEquals: must be an object of condition keys, not a string`},
		{"empty operator", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLike": {}}`), `Statement[1].Condition.StringLike: has no condition keys`},
		{"duplicate operator", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"swf:name": "a"}, "stringlike": {"swf:name": "b"}}`), `Statement[1].Condition: duplicate operator "stringlike"`},
		{"duplicate key", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringLike": {"swf:name": "a", "SWF:Name": "b"}}`), `Statement[1].Condition.StringLike: duplicate condition key "SWF:Name"`},
		{"key without prefix", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"taskList.name": "a"}}`), `Statement[1].Condition.StringEquals["taskList.name"]: "taskList.name" is not a condition key: keys are written prefix:name, as in "swf:taskList.name"`},
		{"unknown SWF key", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"swf:taskListName": "a"}}`), `Statement[1].Condition.StringEquals["swf:taskListName"]: unknown SWF condition key "swf:taskListName"`},
		{"sixth tag key", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"swf:tagList.member.5": "a"}}`), `Statement[1].Condition.StringEquals["swf:tagList.member.5"]: unknown SWF condition key "swf:tagList.member.5"`},
		// A global key the server does not fill in would be absent from
		// every request, and a Deny on it would never apply.
		{"unsupplied global key", stmt(`"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}`), `Statement[1].Condition.StringEquals["aws:SourceVpc"]: condition key "aws:SourceVpc" is one this server does not supply (of AWS's global keys it fills in aws:ResourceTag/KEY, aws:RequestedRegion, aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalType and aws:username): a condition on it could never be judged as AWS judges it`},
		{"resource tag without a key", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/": "a"}}`), `Statement[1].Condition.StringEquals["aws:ResourceTag/"]: condition key "aws:ResourceTag/" names no tag: write aws:ResourceTag/KEY`},
		{"value type", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"swf:name": {"x": 3}}}`), `Statement[1].Condition.StringEquals["swf:name"]: must be a string, not an object`},
		{"value item type", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"swf:name": ["a", {}]}}`), `Statement[1].Condition.StringEquals["swf:name"][1]: must be a string, not an object`},
		{"empty values", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"swf:name": []}}`), `Statement[1].Condition.StringEquals["swf:name"]: must not be an empty array`},
		{"null value", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Null": {"swf:name": "yes"}}`), `Statement[1].Condition.Null["swf:name"]: Null takes "true" (the key must be absent) or "false" (it must be present)`},
		{"variable in value", stmt(`"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"swf:name": "${aws:username}"}}`), `Statement[1].Condition.StringEquals["swf:name"]: policy variable ${aws:username} has no value here (a principal's policies may use ${aws:username} and ${aws:PrincipalAccount}, and ${*}, ${?}, ${$} for those characters)`},
	}
	long := strings.Repeat("?", 130)
	tests = append(tests,
		struct{ name, doc, want string }{"action too long", stmt(`"Effect": "Allow", "Action": "swf:` + long + `", "Resource": "*"`),
			`Statement[1].Action: action "swf:` + long + `" is too long to match any SWF action`},
		struct{ name, doc, want string }{"document too large", `{"Id": "` + strings.Repeat("x", MaxDocumentSize) + `"}`,
			`document is 65546 bytes, more than the 65536 this server accepts (IAM's own limit is 10,240 characters)`},
	)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.doc))
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", p)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error is %T, not *ParseError", err)
			}
			if strings.HasPrefix(tc.want, "line ") != (pe != nil && pe.Line > 0) {
				t.Errorf("Line/Column = %d/%d for %q", pe.Line, pe.Column, tc.want)
			}
		})
	}
}

// Documents IAM accepts in forms the tests above do not show.
func TestParseAccepts(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"no version", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`},
		{"2008 version and Id", `{"Version": "2008-10-17", "Id": "p1", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`},
		{"variables are literal in 2008", `{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:swf:*:*:/domain/${x}"}}`},
		{"lists", `{"Statement": [{"Sid": "a", "Effect": "Deny", "NotAction": ["swf:Poll*", "swf:Respond*"], "NotResource": ["arn:aws:swf:us-east-1:1:/domain/a", "arn:aws:swf:us-east-1:1:/domain/b"]}]}`},
		{"operator case", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"stringequalsignorecaseifexists": {"swf:name": "x"}}}}`},
		{"set prefixes", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAllValues:StringLike": {"swf:name": "x*"}, "ForAnyValue:StringNotEqualsIfExists": {"swf:version": "1"}}}}`},
		{"other services' actions", `{"Statement": {"Effect": "Allow", "Action": ["swf:StartTimer", "s3:GetObject", "states:*"], "Resource": "*"}}`},
		{"foreign keys", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod", "s3:prefix": "x"}}}}`},
		{"every SWF key", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualsIfExists": {
			"swf:activityType.name": "a", "swf:activityType.version": "a", "swf:defaultTaskList.name": "a", "swf:name": "a", "swf:version": "a",
			"swf:tagFilter.tag": "a", "swf:typeFilter.name": "a", "swf:typeFilter.version": "a", "swf:taskList.name": "a",
			"swf:workflowType.name": "a", "swf:workflowType.version": "a", "swf:workflowTypeVersion": "a",
			"swf:tagList.member.0": "a", "swf:tagList.member.1": "a", "swf:tagList.member.2": "a", "swf:tagList.member.3": "a", "swf:tagList.member.4": "a",
			"swf:tagList.0": "a", "swf:tagList.4": "a"}}}}`},
		{"every action", `{"Statement": {"Effect": "Allow", "Action": ["swf:CountClosedWorkflowExecutions", "swf:UntagResource", "swf:ListTagsForResource",
			"swf:CancelTimer", "swf:CancelWorkflowExecution", "swf:CompleteWorkflowExecution", "swf:ContinueAsNewWorkflowExecution", "swf:FailWorkflowExecution",
			"swf:RecordMarker", "swf:RequestCancelActivityTask", "swf:RequestCancelExternalWorkflowExecution", "swf:ScheduleActivityTask",
			"swf:SignalExternalWorkflowExecution", "swf:StartChildWorkflowExecution", "swf:StartTimer"], "Resource": "*"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if p.Version() != Version2008 && p.Version() != Version2012 {
				t.Errorf("Version() = %q", p.Version())
			}
		})
	}
	p := mustParse(t, `{"Version": "2012-10-17", "Id": "mine", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)
	if p.ID() != "mine" || p.Version() != Version2012 {
		t.Errorf("ID, Version = %q, %q", p.ID(), p.Version())
	}
	if p := mustParse(t, `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`); p.Version() != Version2008 {
		t.Errorf("default Version = %q", p.Version())
	}
}

// ParseFor replaces a principal's policy variables, in the 2012-10-17
// language only, in Resource and in condition values.
func TestParseForVariables(t *testing.T) {
	vars := map[string]string{"aws:username": "alice", "aws:principalaccount": "123456789012"}
	doc := `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "swf:*", "Resource": "arn:aws:swf:*:${aws:PrincipalAccount}:/domain/${aws:username}-*"},
		{"Effect": "Deny", "Action": "swf:PollForActivityTask", "Resource": "*", "Condition": {"StringNotLike": {"swf:taskList.name": "${aws:username}/${*}"}}}]}`
	p, err := ParseFor([]byte(doc), vars)
	if err != nil {
		t.Fatal(err)
	}
	scope := Scope{Region: "us-east-1", Account: "123456789012"}
	poll := func(domain, list string) bool {
		req := scope.Call("PollForActivityTask", &swfapi.PollForActivityTaskInput{Domain: &domain, TaskList: &swfapi.TaskList{Name: &list}}, "")
		return Evaluate([]*Policy{p}, req).Allowed
	}
	if !poll("alice-orders", "alice/work") || poll("bob-orders", "alice/work") || poll("alice-orders", "bob/work") || poll("alice-orders", "alice*x") {
		t.Error("variables not replaced as IAM replaces them")
	}
	// In the 2008-10-17 language "${" is plain text.
	if _, err := ParseFor([]byte(`{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:swf:*:*:/domain/${x}"}}`), nil); err != nil {
		t.Error(err)
	}
}
