// Package columns is how the SQL backends lay records out in columns, the part
// that does not depend on the driver: tags as a JSON array, times as UTC
// milliseconds, and what a record looks like once written and read back.
package columns

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// tagJSON is a tag as stored: an array of objects keeps the order of keys,
// which a JSON object would not promise.
type tagJSON struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// EncodeTags is the stored form of a domain's tags.
func EncodeTags(tags []store.Tag) (string, error) {
	out := make([]tagJSON, len(tags))
	for i, t := range tags {
		out[i] = tagJSON(t)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("encoding tags: %w", err)
	}
	return string(b), nil
}

// DecodeTags reads EncodeTags's form; no tags is nil.
func DecodeTags(s string) ([]store.Tag, error) {
	var in []tagJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decoding tags: %w", err)
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]store.Tag, len(in))
	for i, t := range in {
		out[i] = store.Tag(t)
	}
	return out, nil
}

// Millis is how times are stored: UTC milliseconds, the precision SWF
// timestamps carry.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// FromMillis reads Millis's form.
func FromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// stored is t as a store gives it back: milliseconds, UTC, the zero time
// kept zero (a NULL column).
func stored(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return FromMillis(Millis(t))
}

// Blob makes nil bytes empty: the columns are NOT NULL, and the contract
// does not tell nil from empty.
func Blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// StoredDomain returns d as a read would return it after d is written, so
// that the update methods and GetDomain agree (times cut to milliseconds,
// UTC).
func StoredDomain(d store.Domain) store.Domain {
	d.CreatedAt = FromMillis(Millis(d.CreatedAt))
	if len(d.Tags) == 0 {
		d.Tags = nil
	} else {
		d.Tags = append([]store.Tag(nil), d.Tags...)
	}
	return d
}

// StoredType returns t as a read would return it after t is written.
func StoredType(t store.Type) store.Type {
	t.CreatedAt = FromMillis(Millis(t.CreatedAt))
	t.DeprecatedAt = stored(t.DeprecatedAt)
	if len(t.Config) == 0 {
		t.Config = nil
	} else {
		t.Config = append([]byte(nil), t.Config...)
	}
	return t
}

// NotFoundDomain is the contract's ErrNotFound for a domain.
func NotFoundDomain(name string) error {
	return fmt.Errorf("%w: domain %q", store.ErrNotFound, name)
}

// NotFoundType is the contract's ErrNotFound for a type.
func NotFoundType(k store.TypeKey) error {
	return fmt.Errorf("%w: %s type %s/%s in domain %q", store.ErrNotFound, k.Kind, k.Name, k.Version, k.Domain)
}

// CheckKind refuses a kind the schema would reject, so callers get a plain
// error rather than a constraint failure from the driver.
func CheckKind(k store.TypeKind) error {
	if k != store.ActivityType && k != store.WorkflowType {
		return fmt.Errorf("store: unknown type kind %q", k)
	}
	return nil
}
