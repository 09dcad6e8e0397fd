// Package auth is who may call openswf: the principals (access keys and
// their IAM-style policies) read from a file that can be reloaded while
// serving, the HTTP middleware that authenticates each request by its SigV4
// signature, and the interceptor that authorizes each operation, and each
// decision of a batch, by the caller's policies.
//
// The signature maths and the policy language live in the pure packages
// sigv4 and policy; this package joins them to requests, principals and
// SWF's faults.
package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/openswf/openswf/internal/policy"
)

// Principal is one caller: a name, an access key and the policies that say
// what it may do.
type Principal struct {
	Name            string
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken, when set, must come with every request signed with
	// this key (as temporary AWS credentials do); Expires, when set, is
	// when the token stops being accepted.
	SessionToken string
	Expires      time.Time
	Policies     []*policy.Policy
	// AllowAll skips policy evaluation: the one local principal of
	// --auth none.
	AllowAll bool
	// ARN names the principal in denials, as IAM names a user.
	ARN string
	// What its policies read, worked out once (readKeys) so that a request
	// costs a lookup only where a policy needs one: globals are the global
	// condition keys read and their values (policy.GlobalKeys), but for the
	// region, which readsRegion asks the authorizer for; readsTags and
	// readsTaskList say whether a domain's tags (aws:ResourceTag/KEY) and
	// swf:taskList.name are read.
	globals                               map[string]string
	readsRegion, readsTags, readsTaskList bool
}

// Local is the principal every request is under --auth none: allowed
// everything, as before authentication existed.
func Local(account string) *Principal {
	return &Principal{Name: "local", AllowAll: true, ARN: "arn:aws:iam::" + account + ":root"}
}

// Principals is one consistent set of principals, by access key.
type Principals struct {
	byKey map[string]*Principal
}

// Lookup returns the principal of an access key.
func (p *Principals) Lookup(accessKeyID string) (*Principal, bool) {
	pr, ok := p.byKey[accessKeyID]
	return pr, ok
}

// Len is how many principals the set has.
func (p *Principals) Len() int { return len(p.byKey) }

// fileFormat is the principals file: JSON, so that scripts and tools can
// write it.
type fileFormat struct {
	Principals []struct {
		Name            string            `json:"name"`
		AccessKeyID     string            `json:"accessKeyId"`
		SecretAccessKey string            `json:"secretAccessKey"`
		SessionToken    string            `json:"sessionToken"`
		Expires         *time.Time        `json:"expires"`
		Policies        []json.RawMessage `json:"policies"`
	} `json:"principals"`
}

// ParsePrincipals reads a principals file's content. Every problem is
// refused with its place named: a line and column for JSON that does not
// parse, or the principal and policy (and the statement within it) for one
// that does not make sense.
func ParsePrincipals(data []byte, account string) (*Principals, error) {
	var f fileFormat
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(data, err)
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the top-level object")
	}
	set := &Principals{byKey: make(map[string]*Principal, len(f.Principals))}
	names := make(map[string]bool, len(f.Principals))
	for i, fp := range f.Principals {
		place := fmt.Sprintf("principals[%d]", i)
		if fp.Name != "" {
			place += fmt.Sprintf(" (%q)", fp.Name)
		}
		switch {
		case fp.Name == "":
			return nil, fmt.Errorf("%s: name is missing", place)
		case names[fp.Name]:
			return nil, fmt.Errorf("%s: another principal has the same name", place)
		case fp.AccessKeyID == "":
			return nil, fmt.Errorf("%s: accessKeyId is missing", place)
		case !validKeyID(fp.AccessKeyID):
			return nil, fmt.Errorf("%s: accessKeyId must be 16 to 128 letters and digits", place)
		case set.byKey[fp.AccessKeyID] != nil:
			return nil, fmt.Errorf("%s: accessKeyId is another principal's too", place)
		case fp.SecretAccessKey == "":
			return nil, fmt.Errorf("%s: secretAccessKey is missing", place)
		}
		names[fp.Name] = true
		p := &Principal{
			Name: fp.Name, AccessKeyID: fp.AccessKeyID, SecretAccessKey: fp.SecretAccessKey,
			SessionToken: fp.SessionToken, ARN: "arn:aws:iam::" + account + ":user/" + fp.Name,
		}
		if fp.Expires != nil {
			if fp.SessionToken == "" {
				return nil, fmt.Errorf("%s: expires is only for a sessionToken", place)
			}
			p.Expires = *fp.Expires
		}
		// The policy variables IAM would fill in for this principal.
		vars := map[string]string{"aws:username": fp.Name, "aws:principalaccount": account}
		for j, raw := range fp.Policies {
			pol, err := policy.ParseFor(raw, vars)
			if err != nil {
				return nil, fmt.Errorf("%s.policies[%d]: %w", place, j, err)
			}
			p.Policies = append(p.Policies, pol)
		}
		p.readKeys(account)
		set.byKey[p.AccessKeyID] = p
	}
	return set, nil
}

// validKeyID is the shape of an AWS access key id: IAM allows 16 to 128
// word characters.
func validKeyID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// jsonError names where in data a decoding error is, by line and column.
func jsonError(data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var offset int64
	switch {
	case errors.As(err, &syntax):
		// The offset is just past the byte that broke the syntax.
		offset = max(syntax.Offset-1, 0)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		offset, err = int64(len(data)), errors.New("the file ends before its JSON does")
	case errors.As(err, &typ):
		offset = typ.Offset
		if typ.Field != "" {
			err = fmt.Errorf("%s must be %s, not %s", typ.Field, typ.Type, typ.Value)
		}
	default:
		return err
	}
	line, col := 1, 1
	for _, c := range data[:min(int(offset), len(data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

// Keyring holds the principals in force. Reload swaps in a new set at once:
// a request in flight keeps the set it started with, the next one sees the
// new set, and none is dropped or refused for the swap.
type Keyring struct {
	path    string
	account string
	current atomic.Pointer[Principals]
}

// OpenKeyring reads the principals file at path.
func OpenKeyring(path, account string) (*Keyring, error) {
	k := &Keyring{path: path, account: account}
	if err := k.Reload(); err != nil {
		return nil, err
	}
	return k, nil
}

// Reload reads the principals file again. A file that cannot be read or
// parsed is refused, and the principals in force stay so.
func (k *Keyring) Reload() error {
	data, err := os.ReadFile(k.path)
	if err != nil {
		return fmt.Errorf("reading the principals: %w", err)
	}
	set, err := ParsePrincipals(data, k.account)
	if err != nil {
		return fmt.Errorf("%s: %w", k.path, err)
	}
	k.current.Store(set)
	return nil
}

// Principals returns the set in force.
func (k *Keyring) Principals() *Principals { return k.current.Load() }

// readKeys works out what p's policies read (see Principal).
func (p *Principal) readKeys(account string) {
	values := map[string]string{
		"aws:principalaccount": account,
		"aws:principalarn":     p.ARN,
		"aws:principaltype":    "User",
		"aws:username":         p.Name,
	}
	for _, key := range policy.GlobalKeys {
		if !p.reads(key) {
			continue
		}
		if key == "aws:requestedregion" {
			p.readsRegion = true
			continue
		}
		if p.globals == nil {
			p.globals = map[string]string{}
		}
		p.globals[key] = values[key]
	}
	p.readsTaskList = p.reads(policy.KeyTaskListName)
	for _, pol := range p.Policies {
		p.readsTags = p.readsTags || pol.UsesResourceTags()
	}
}

func (p *Principal) reads(key string) bool {
	for _, pol := range p.Policies {
		if pol.Reads(key) {
			return true
		}
	}
	return false
}
