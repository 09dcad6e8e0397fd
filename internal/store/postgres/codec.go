package postgres

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

func encodeTags(tags []store.Tag) (string, error) {
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

func decodeTags(s string) ([]store.Tag, error) {
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

// millis is how times are stored: UTC milliseconds, the precision SWF
// timestamps carry.
func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// nullMillis stores the zero time, "not set", as NULL rather than as a
// date in year 1.
func nullMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := millis(t)
	return &ms
}

func fromNullMillis(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return fromMillis(*ms)
}

// blob makes nil bytes empty: the column is NOT NULL, and the contract does
// not tell nil from empty.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// scanner is a pgx.Row or pgx.Rows.
type scanner interface{ Scan(dest ...any) error }
