package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ParseError says where a policy document is wrong and how.
type ParseError struct {
	// Place is the member at fault as a path, "Statement[2].Condition", or
	// for a document that is not JSON at all, "line 7, column 12". It is
	// empty when the fault is the document as a whole.
	Place string
	// Line and Column locate JSON syntax errors, 1-based, the column
	// counted in characters; both are 0 for every other error.
	Line, Column int
	// Problem says what is wrong.
	Problem string
}

// Error returns "place: problem".
func (e *ParseError) Error() string {
	if e.Place == "" {
		return e.Problem
	}
	return e.Place + ": " + e.Problem
}

// maxDepth bounds the nesting of a document. The deepest legal place,
// a value in a condition key's array, is at depth 6; anything much deeper
// is not a policy, and refusing it early keeps the tree builder's
// recursion short.
const maxDepth = 16

// jkind is the JSON type of a node.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// jnode is a parsed JSON value that, unlike map[string]any, keeps the
// members of an object in order and with their duplicates, so that a
// document saying "Effect" twice is refused instead of silently taking the
// last one, and errors come out in document order.
type jnode struct {
	kind    jkind
	str     string // jString; the literal text for jNumber
	b       bool   // jBool
	items   []jnode
	members []jmember
}

type jmember struct {
	key string
	val jnode
}

// describe names a node's JSON type for error messages.
func (n *jnode) describe() string {
	switch n.kind {
	case jNull:
		return "null"
	case jBool:
		return "a boolean"
	case jNumber:
		return "a number"
	case jString:
		return "a string"
	case jArray:
		return "an array"
	}
	return "an object"
}

// decodeJSON checks that doc is one well-formed JSON value in valid UTF-8
// and returns it as a tree. Syntax errors are located by line and column,
// since a path means nothing in a document that does not parse.
func decodeJSON(doc []byte) (jnode, error) {
	if !utf8.Valid(doc) {
		off := 0
		for off < len(doc) {
			r, w := utf8.DecodeRune(doc[off:])
			if r == utf8.RuneError && w <= 1 {
				break
			}
			off += w
		}
		return jnode{}, syntaxError(doc, off, "invalid UTF-8")
	}
	// encoding/json's own checker gives exact offsets; the streaming
	// decoder used below to keep member order does not, so syntax is
	// checked first, in full.
	var raw json.RawMessage
	if err := json.Unmarshal(doc, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off := int(se.Offset)
			// Offset counts the offending byte; point at it, except at the
			// end of input where there is no byte to point at.
			if off > 0 && off <= len(doc) && se.Error() != "unexpected end of JSON input" {
				off--
			}
			return jnode{}, syntaxError(doc, off, se.Error())
		}
		return jnode{}, &ParseError{Problem: err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	return readNode(dec, doc, 0)
}

// readNode reads one value from an input already known to be valid JSON.
func readNode(dec *json.Decoder, doc []byte, depth int) (jnode, error) {
	if depth > maxDepth {
		return jnode{}, syntaxError(doc, int(dec.InputOffset()), fmt.Sprintf("nested more than %d levels deep", maxDepth))
	}
	tok, err := dec.Token()
	if err != nil {
		return jnode{}, syntaxError(doc, int(dec.InputOffset()), err.Error())
	}
	switch t := tok.(type) {
	case nil:
		return jnode{kind: jNull}, nil
	case bool:
		return jnode{kind: jBool, b: t}, nil
	case json.Number:
		return jnode{kind: jNumber, str: string(t)}, nil
	case string:
		return jnode{kind: jString, str: t}, nil
	case json.Delim:
		n := jnode{kind: jArray}
		if t == '{' {
			n.kind = jObject
		}
		for dec.More() {
			var key string
			if n.kind == jObject {
				kt, err := dec.Token()
				if err != nil {
					return jnode{}, syntaxError(doc, int(dec.InputOffset()), err.Error())
				}
				key, _ = kt.(string)
			}
			v, err := readNode(dec, doc, depth+1)
			if err != nil {
				return jnode{}, err
			}
			if n.kind == jObject {
				n.members = append(n.members, jmember{key: key, val: v})
			} else {
				n.items = append(n.items, v)
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return jnode{}, syntaxError(doc, int(dec.InputOffset()), err.Error())
		}
		return n, nil
	}
	return jnode{}, syntaxError(doc, int(dec.InputOffset()), fmt.Sprintf("unexpected token %v", tok))
}

// syntaxError locates byte offset off of doc as a line and a column.
func syntaxError(doc []byte, off int, problem string) *ParseError {
	if off > len(doc) {
		off = len(doc)
	}
	if off < 0 {
		off = 0
	}
	line := 1 + bytes.Count(doc[:off], []byte{'\n'})
	start := bytes.LastIndexByte(doc[:off], '\n') + 1
	col := 1 + utf8.RuneCount(doc[start:off])
	return &ParseError{
		Place:   fmt.Sprintf("line %d, column %d", line, col),
		Line:    line,
		Column:  col,
		Problem: problem,
	}
}
