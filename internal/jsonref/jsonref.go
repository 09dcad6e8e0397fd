// Package jsonref is the reference the request decoder's tests compare it
// with: encoding/json, but matching member names exactly, as AWS's JSON
// protocols do, where encoding/json also takes a key that differs only in
// case.
package jsonref

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
)

// Unmarshal is json.Unmarshal of body into v, except that an object key
// naming no member of v's types exactly, though it would match one
// ignoring case, is ignored as an unknown member. Such keys are blanked
// in a copy of body with as many '#' as they have bytes, so that every
// offset an error reports is the same.
func Unmarshal(body []byte, v any) error {
	names := map[string]bool{}
	collect(reflect.TypeOf(v), names, map[reflect.Type]bool{})
	return json.Unmarshal(exactKeys(body, names), v)
}

// collect adds the JSON member names of t and of the types it holds.
func collect(t reflect.Type, names map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names[name] = true
		collect(f.Type, names, seen)
	}
}

// exactKeys returns body with its case-only matches blanked (see
// Unmarshal). A body that is not well-formed JSON is returned as it is:
// encoding/json refuses it before matching any key.
func exactKeys(body []byte, names map[string]bool) []byte {
	var out []byte
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // a number too large for a float64 is still well-formed
	type frame struct{ object, wantKey bool }
	var stack []frame
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return body
		}
		isKey := len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].wantKey
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].wantKey = !stack[len(stack)-1].wantKey
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				// The container was a value; the next token is a key.
				stack[len(stack)-1].wantKey = true
			}
			continue
		}
		if !isKey {
			continue
		}
		key := tok.(string)
		if names[key] || !foldsToName(key, names) {
			continue
		}
		end := int(dec.InputOffset())
		start := int(before) + bytes.IndexByte(body[before:end], '"')
		if out == nil {
			out = bytes.Clone(body)
		}
		for i := start + 1; i < end-1; i++ {
			out[i] = '#'
		}
	}
	if out == nil {
		return body
	}
	return out
}

func foldsToName(key string, names map[string]bool) bool {
	for n := range names {
		if strings.EqualFold(key, n) {
			return true
		}
	}
	return false
}
