package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/swfapi"
)

const allowAll = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "swf:*", "Resource": "*"}]}`

func TestParsePrincipals(t *testing.T) {
	set, err := ParsePrincipals([]byte(`{"principals": [
		{"name": "admin", "accessKeyId": "AKIDTESTADMIN00001", "secretAccessKey": "s", "policies": [`+allowAll+`]},
		{"name": "temp", "accessKeyId": "ASIATESTTEMP000001", "secretAccessKey": "t", "sessionToken": "tok", "expires": "2030-01-02T03:04:05Z"}]}`), "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	p, ok := set.Lookup("AKIDTESTADMIN00001")
	if !ok || p.Name != "admin" || len(p.Policies) != 1 || p.ARN != "arn:aws:iam::123456789012:user/admin" || p.AllowAll {
		t.Fatalf("admin %+v", p)
	}
	if p, _ := set.Lookup("ASIATESTTEMP000001"); p.SessionToken != "tok" || p.Expires.Year() != 2030 || len(p.Policies) != 0 {
		t.Fatalf("temp %+v", p)
	}
	if _, ok := set.Lookup("nobody"); ok || set.Len() != 2 {
		t.Fatal("lookup of an unknown key")
	}
}

// Every refusal names its place.
func TestParsePrincipalsErrors(t *testing.T) {
	key := func(n int) string { return `"AKIDTESTKEY00000` + string(rune('0'+n)) + `"` }
	for _, tc := range []struct{ doc, want string }{
		{`{"principals": [`, "line 1, column 17: the file ends before its JSON does"},
		{``, "line 1, column 1: the file ends"},
		{`{"principals": [}`, "line 1, column 17: invalid character"},
		{"{\n  \"principals\": [\n    {\"name\": 5}]}", "line 3, column 15: principals.name must be string"},
		{`{"principals": [], "extra": 1}`, `unknown field "extra"`},
		{`{"principals": []} {}`, "after the top-level object"},
		{`{"principals": [{"accessKeyId": ` + key(1) + `, "secretAccessKey": "s"}]}`, "principals[0]: name is missing"},
		{`{"principals": [{"name": "a", "secretAccessKey": "s"}]}`, `principals[0] ("a"): accessKeyId is missing`},
		{`{"principals": [{"name": "a", "accessKeyId": "short", "secretAccessKey": "s"}]}`, `principals[0] ("a"): accessKeyId must be`},
		{`{"principals": [{"name": "a", "accessKeyId": ` + key(1) + `}]}`, `principals[0] ("a"): secretAccessKey is missing`},
		{`{"principals": [{"name": "a", "accessKeyId": ` + key(1) + `, "secretAccessKey": "s"}, {"name": "a", "accessKeyId": ` + key(2) + `, "secretAccessKey": "s"}]}`, `principals[1] ("a"): another principal has the same name`},
		{`{"principals": [{"name": "a", "accessKeyId": ` + key(1) + `, "secretAccessKey": "s"}, {"name": "b", "accessKeyId": ` + key(1) + `, "secretAccessKey": "s"}]}`, `principals[1] ("b"): accessKeyId is another principal's too`},
		{`{"principals": [{"name": "a", "accessKeyId": ` + key(1) + `, "secretAccessKey": "s", "expires": "2030-01-01T00:00:00Z"}]}`, `expires is only for a sessionToken`},
		{`{"principals": [{"name": "a", "accessKeyId": ` + key(1) + `, "secretAccessKey": "s", "policies": [` + allowAll + `, {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "swf:*", "Resource": "*", "Condition": {"StringEqualz": {"swf:taskList.name": "x"}}}]}]}]}`,
			`principals[0] ("a").policies[1]: Statement[0].Condition`},
	} {
		_, err := ParsePrincipals([]byte(tc.doc), "123456789012")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\n  got %v\n  want %q", tc.doc, err, tc.want)
		}
	}
}

// A reload that fails keeps the principals in force.
func TestKeyringReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "principals.json")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"principals": [{"name": "a", "accessKeyId": "AKIDTESTKEY000001", "secretAccessKey": "s"}]}`)
	k, err := OpenKeyring(path, "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	write(`{"principals": [{"name": "b", "accessKeyId": "AKIDTESTKEY000002", "secretAccessKey": "s"}]}`)
	if err := k.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, ok := k.Principals().Lookup("AKIDTESTKEY000002"); !ok {
		t.Fatal("the reload was not taken")
	}
	write(`{"principals": [`)
	if err := k.Reload(); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("a broken file: %v", err)
	}
	if _, ok := k.Principals().Lookup("AKIDTESTKEY000002"); !ok {
		t.Fatal("a broken file replaced the principals in force")
	}
	os.Remove(path)
	if err := k.Reload(); err == nil || k.Principals().Len() != 1 {
		t.Fatalf("a missing file: %v", err)
	}
	if _, err := OpenKeyring(path, "123456789012"); err == nil {
		t.Fatal("opened a missing file")
	}
}

// A principal's policies may name it with ${aws:username}: one policy,
// shared by every tenant, keeps each in domains of its own name.
func TestPrincipalVariables(t *testing.T) {
	own := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "swf:*", "Resource": "arn:aws:swf:*:${aws:PrincipalAccount}:/domain/${aws:username}-*"}]}`
	set, err := ParsePrincipals([]byte(`{"principals": [
		{"name": "alice", "accessKeyId": "AKIDTESTALICE00001", "secretAccessKey": "s", "policies": [`+own+`]},
		{"name": "bob", "accessKeyId": "AKIDTESTBOB0000001", "secretAccessKey": "t", "policies": [`+own+`]}]}`), "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	a := testAuthorizer()
	for _, tc := range []struct {
		key, domain string
		allowed     bool
	}{{"AKIDTESTALICE00001", "alice-orders", true}, {"AKIDTESTALICE00001", "bob-orders", false}, {"AKIDTESTBOB0000001", "bob-orders", true}} {
		p, _ := set.Lookup(tc.key)
		_, err := a.Interceptor(WithPrincipal(t.Context(), p), "DescribeDomain", &swfapi.DescribeDomainInput{Name: &tc.domain}, (&reached{}).next)
		if tc.allowed != (err == nil) {
			t.Errorf("%s in %s: %v", p.Name, tc.domain, err)
		}
	}
}

// The global keys that describe the caller and the region are filled in,
// for the principals whose policies read them: a common guard such as
// "deny outside our region" works as on AWS.
func TestGlobalConditionKeys(t *testing.T) {
	region := `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "swf:*", "Resource": "*"},
		{"Effect": "Deny", "Action": "swf:*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}]}`
	who := `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "swf:DescribeDomain", "Resource": "*", "Condition": {"StringEquals": {
			"aws:username": "carol", "aws:PrincipalArn": "arn:aws:iam::123456789012:user/carol", "aws:PrincipalAccount": "123456789012", "aws:PrincipalType": "User"}}}]}`
	set, err := ParsePrincipals([]byte(`{"principals": [
		{"name": "regional", "accessKeyId": "AKIDTESTREGION0001", "secretAccessKey": "s", "policies": [`+region+`]},
		{"name": "carol", "accessKeyId": "AKIDTESTCAROL00001", "secretAccessKey": "s", "policies": [`+who+`]},
		{"name": "dave", "accessKeyId": "AKIDTESTDAVE000001", "secretAccessKey": "s", "policies": [`+who+`]}]}`), "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	describe := func(a *Authorizer, key string) error {
		p, _ := set.Lookup(key)
		_, err := a.Interceptor(WithPrincipal(t.Context(), p), "DescribeDomain", &swfapi.DescribeDomainInput{Name: swfapi.Ptr("d")}, (&reached{}).next)
		return err
	}
	us := testAuthorizer() // us-east-1
	eu := testAuthorizer()
	eu.Scope.Region = "eu-west-1"
	if describe(us, "AKIDTESTREGION0001") == nil || describe(eu, "AKIDTESTREGION0001") != nil {
		t.Error("aws:RequestedRegion is not the server's region")
	}
	if describe(us, "AKIDTESTCAROL00001") != nil || describe(us, "AKIDTESTDAVE000001") == nil {
		t.Error("the principal's keys are not its own")
	}
}
