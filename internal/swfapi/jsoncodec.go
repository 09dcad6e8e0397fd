package swfapi

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON codec of the shapes. json_gen.go holds one encoder and one decoder
// per structure; this file holds what they share. Both sides are held to what
// encoding/json does with the same Go types (the tests compare them), because
// the wire format, and the SerializationException messages clients see, were
// defined by encoding/json first: the codec only removes reflection.

// JSONAppender is implemented by every structure shape.
type JSONAppender interface {
	// AppendJSON appends the bytes json.Marshal would produce.
	AppendJSON(b []byte) []byte
}

// AppendJSON appends the JSON of v, a pointer to a structure shape; ok is
// false when v is not one and nothing was appended.
func AppendJSON(b []byte, v any) (_ []byte, ok bool) {
	a, ok := v.(JSONAppender)
	if !ok {
		return b, false
	}
	return a.AppendJSON(b), true
}

// JSONTypeError is a JSON value of the wrong type for its member, carrying
// what json.UnmarshalTypeError carries so that the protocol layer words it
// the same way.
type JSONTypeError struct {
	// Value is "string", "number", "bool", "object", "array", or
	// "number <literal>" for a number out of an integer's range.
	Value string
	// Type is the Go type, as reflect.Type's String gives it.
	Type string
	// Field is the dotted path of member names from the root, without list
	// indexes; empty at the root.
	Field string
	// Want is the kind of value the model wanted, as a Java service names
	// it: "String" (enums too), "Integer", "Long", "Boolean", "Structure"
	// or "List".
	Want string
}

func (e *JSONTypeError) Error() string {
	if e.Field == "" {
		return "json: cannot unmarshal " + e.Value + " into Go value of type " + e.Type
	}
	return "json: cannot unmarshal " + e.Value + " into Go struct field " + e.Field + " of type " + e.Type
}

// jsonShape is implemented by every structure shape.
type jsonShape interface {
	decodeJSONValue(d *jsonDecoder)
}

// DecodeJSON fills v, a pointer to a structure shape, from data, with
// encoding/json's semantics but for one difference: members are matched
// exactly, as AWS's JSON protocols match them (a key in another case is an
// unknown member; internal/jsonref is encoding/json so restricted, for the
// tests). Unknown members are ignored, null leaving a member unset, the first type error
// reported after the whole document was read. Its errors are a
// *json.SyntaxError (with encoding/json's offset), a *JSONTypeError, or the
// error of Timestamp.UnmarshalJSON. Any other v is given to json.Unmarshal.
func DecodeJSON(data []byte, v any) error {
	s, ok := v.(jsonShape)
	if !ok {
		return json.Unmarshal(data, v)
	}
	d := decoderPool.Get().(*jsonDecoder)
	d.data = data
	d.ws()
	s.decodeJSONValue(d)
	if !d.stop {
		d.ws()
		if d.off != len(d.data) {
			d.fail()
		}
	}
	err := d.result()
	buf := d.buf[:0]
	if cap(buf) > 64<<10 {
		buf = nil // one huge string should not stay pinned in the pool
	}
	*d = jsonDecoder{buf: buf}
	decoderPool.Put(d)
	return err
}

var decoderPool = sync.Pool{New: func() any { return new(jsonDecoder) }}

// maxJSONDepth is encoding/json's limit on nesting.
const maxJSONDepth = 10000

// jsonDecoder reads one document. It checks the syntax as it goes, so that
// a document it accepts is one encoding/json accepts; when it finds an error
// it stops, and the error's offset is asked of encoding/json, whose scanner
// defines it (a rare path, not worth a second scanner).
type jsonDecoder struct {
	data    []byte
	off     int
	depth   int
	stop    bool
	hard    error
	typeErr *JSONTypeError
	key     []byte
	buf     []byte
	// path is the stack of member names, for the Field of a type error;
	// shapes nest far less deeply than its size.
	path  [16]string
	npath int
	// strs is what is left of the slab that *string members point into.
	strs  []string
	slabs int
}

func (d *jsonDecoder) result() error {
	if d.stop {
		var raw json.RawMessage
		if err := json.Unmarshal(d.data, &raw); err != nil {
			return err
		}
		if d.hard != nil {
			return d.hard
		}
		// The decoder refused a document encoding/json accepts: a bug, but
		// still an answer the client can act on.
		return &json.SyntaxError{Offset: int64(d.off)}
	}
	if d.typeErr != nil {
		return d.typeErr
	}
	return nil
}

func (d *jsonDecoder) fail() { d.stop = true }

func (d *jsonDecoder) push(name string) {
	if d.npath < len(d.path) {
		d.path[d.npath] = name
	}
	d.npath++
}

func (d *jsonDecoder) pop() { d.npath-- }

func (d *jsonDecoder) typeError(value, typ, want string) {
	if d.typeErr == nil {
		d.typeErr = &JSONTypeError{Value: value, Type: typ, Want: want, Field: strings.Join(d.path[:min(d.npath, len(d.path))], ".")}
	}
}

func (d *jsonDecoder) ws() {
	for d.off < len(d.data) {
		switch d.data[d.off] {
		case ' ', '\t', '\n', '\r':
			d.off++
		default:
			return
		}
	}
}

func (d *jsonDecoder) peek() byte {
	if d.off < len(d.data) {
		return d.data[d.off]
	}
	return 0
}

// mismatch records a value of the wrong kind for typ, a want (see
// JSONTypeError), and skips it.
func (d *jsonDecoder) mismatch(typ, want string) {
	var kind string
	switch c := d.peek(); {
	case c == '"':
		kind = "string"
	case c == '{':
		kind = "object"
	case c == '[':
		kind = "array"
	case c == 't' || c == 'f':
		kind = "bool"
	case c == '-' || '0' <= c && c <= '9':
		kind = "number"
	default:
		d.fail()
		return
	}
	d.typeError(kind, typ, want)
	d.skip()
}

func (d *jsonDecoder) literal(lit string) bool {
	if len(d.data)-d.off >= len(lit) && string(d.data[d.off:d.off+len(lit)]) == lit {
		d.off += len(lit)
		return true
	}
	d.fail()
	return false
}

// enter consumes the '{' or '[' at the offset.
func (d *jsonDecoder) enter() bool {
	d.off++
	d.depth++
	if d.depth > maxJSONDepth {
		d.fail()
		return false
	}
	return true
}

// beginObject starts the object at the offset; false for null (left as it
// is), a value of another kind (a type error of typ) or an error.
func (d *jsonDecoder) beginObject(typ string) bool {
	switch d.peek() {
	case '{':
		return d.enter()
	case 'n':
		d.literal("null")
	default:
		d.mismatch(typ, "Structure")
	}
	return false
}

// member reads the next member's name into d.key and leaves the offset at
// its value; false at the end of the object or on an error.
func (d *jsonDecoder) member(first bool) bool {
	if d.stop {
		return false
	}
	d.ws()
	c := d.peek()
	if c == '}' {
		d.off++
		d.depth--
		return false
	}
	if !first {
		if c != ',' {
			d.fail()
			return false
		}
		d.off++
		d.ws()
		c = d.peek()
	}
	if c != '"' {
		d.fail()
		return false
	}
	key, ok := d.stringBytes()
	if !ok {
		return false
	}
	d.key = key
	d.ws()
	if d.peek() != ':' {
		d.fail()
		return false
	}
	d.off++
	d.ws()
	return true
}

// element leaves the offset at the next element of an array; false at its
// end or on an error.
func (d *jsonDecoder) element(first bool) bool {
	if d.stop {
		return false
	}
	d.ws()
	c := d.peek()
	if first {
		if c == ']' {
			d.off++
			d.depth--
			return false
		}
		return true
	}
	switch c {
	case ']':
		d.off++
		d.depth--
		return false
	case ',':
		d.off++
		d.ws()
		return true
	}
	d.fail()
	return false
}

// skip reads and checks one value of any kind.
func (d *jsonDecoder) skip() {
	switch d.peek() {
	case '{':
		if !d.enter() {
			return
		}
		for first := true; d.member(first); first = false {
			d.skip()
		}
	case '[':
		if !d.enter() {
			return
		}
		for first := true; d.element(first); first = false {
			d.skip()
		}
	case '"':
		d.scanString()
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	default:
		d.number()
	}
}

// scanString moves past the string at the offset, checking it, and returns
// the bounds of its contents and whether they are exactly the string's
// value (no escape, valid UTF-8).
func (d *jsonDecoder) scanString() (start, end int, verbatim, ok bool) {
	data := d.data
	start = d.off + 1
	escaped, nonASCII := false, false
	for i := start; i < len(data); {
		c := data[i]
		if plainByte[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			d.off = i + 1
			verbatim = !escaped && (!nonASCII || utf8.Valid(data[start:i]))
			return start, i, verbatim, true
		case c == '\\':
			escaped = true
			if i+1 >= len(data) {
				d.fail()
				return
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) || !isHex(data[i+2]) || !isHex(data[i+3]) || !isHex(data[i+4]) || !isHex(data[i+5]) {
					d.fail()
					return
				}
				i += 6
			default:
				d.fail()
				return
			}
		case c < 0x20:
			d.fail()
			return
		default:
			if c >= utf8.RuneSelf {
				nonASCII = true
			}
			i++
		}
	}
	d.fail()
	return
}

// plainByte is true for the bytes that stand for themselves in a string
// and are valid UTF-8 on their own.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// stringBytes returns the value of the string at the offset; the bytes are
// valid until the next string is read.
func (d *jsonDecoder) stringBytes() ([]byte, bool) {
	start, end, verbatim, ok := d.scanString()
	if !ok {
		return nil, false
	}
	if verbatim {
		return d.data[start:end], true
	}
	d.buf = appendUnquoted(d.buf[:0], d.data[start:end])
	return d.buf, true
}

// str returns the value of the string at the offset. Each is copied on its
// own, as encoding/json copies it: strings cut from one copy of the whole
// document would be cheaper, but any of them kept in a long-lived map would
// keep the whole request alive.
func (d *jsonDecoder) str() (string, bool) {
	start, end, verbatim, ok := d.scanString()
	if !ok {
		return "", false
	}
	if verbatim {
		return string(d.data[start:end]), true
	}
	d.buf = appendUnquoted(d.buf[:0], d.data[start:end])
	return string(d.buf), true
}

// appendUnquoted appends the value of s, the checked contents of a JSON
// string, as encoding/json unquotes it: invalid UTF-8 and unpaired
// surrogates become U+FFFD.
func appendUnquoted(b, s []byte) []byte {
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			switch s[r+1] {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := getu4(s[r:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
						r += 6
						b = utf8.AppendRune(b, dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default:
				b = append(b, s[r+1])
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return b
}

func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// number moves past the number at the offset, checking its grammar.
func (d *jsonDecoder) number() ([]byte, bool) {
	data, i := d.data, d.off
	digits := func() bool {
		n := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return i > n
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		digits()
	default:
		d.fail()
		return nil, false
	}
	if i < len(data) && data[i] == '.' {
		i++
		if !digits() {
			d.fail()
			return nil, false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !digits() {
			d.fail()
			return nil, false
		}
	}
	num := data[d.off:i]
	d.off = i
	return num, true
}

// parseInt is strconv.ParseInt(string(num), 10, 64) for a JSON number,
// without the allocation.
func parseInt(num []byte) (int64, bool) {
	neg := len(num) > 0 && num[0] == '-'
	if neg {
		num = num[1:]
	}
	if len(num) == 0 {
		return 0, false
	}
	var u uint64
	for _, c := range num {
		if c < '0' || c > '9' || u > (1<<63)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > 1<<63-1 {
		return 0, false
	}
	return int64(u), true
}

func decodeString[T ~string](d *jsonDecoder, p **T, typ string) {
	switch d.peek() {
	case '"':
		if s, ok := d.str(); ok {
			if sp, plain := any(p).(**string); plain {
				*sp = d.newString(s)
				return
			}
			x := T(s)
			*p = &x
		}
	case 'n':
		if d.literal("null") {
			*p = nil
		}
	default:
		d.mismatch(typ, "String")
	}
}

// newString returns a pointer to a copy of s. Plain strings are most of
// the members, so their pointers are cut from slabs, in chunks that grow
// with the document, rather than allocated one by one.
func (d *jsonDecoder) newString(s string) *string {
	if len(d.strs) == 0 {
		// A kept *string pins its slab: small ones bound what it costs.
		n := 4
		if d.slabs > 0 {
			n = 16
		}
		d.slabs++
		d.strs = make([]string, n)
	}
	p := &d.strs[0]
	d.strs = d.strs[1:]
	*p = s
	return p
}

// decodeStringElem reads a list element; null leaves it as it is.
func decodeStringElem[T ~string](d *jsonDecoder, e *T, typ string) {
	switch d.peek() {
	case '"':
		if s, ok := d.str(); ok {
			*e = T(s)
		}
	case 'n':
		d.literal("null")
	default:
		d.mismatch(typ, "String")
	}
}

func decodeInt[T int32 | int64](d *jsonDecoder, p **T, typ string) {
	want := "Long"
	if _, ok := any(T(0)).(int32); ok {
		want = "Integer"
	}
	switch c := d.peek(); {
	case c == '-' || '0' <= c && c <= '9':
		num, ok := d.number()
		if !ok {
			return
		}
		n, ok := parseInt(num)
		if !ok || int64(T(n)) != n {
			d.typeError("number "+string(num), typ, want)
			return
		}
		x := T(n)
		*p = &x
	case c == 'n':
		if d.literal("null") {
			*p = nil
		}
	default:
		d.mismatch(typ, want)
	}
}

func decodeBool(d *jsonDecoder, p **bool) {
	switch d.peek() {
	case 't':
		if d.literal("true") {
			x := true
			*p = &x
		}
	case 'f':
		if d.literal("false") {
			x := false
			*p = &x
		}
	case 'n':
		if d.literal("null") {
			*p = nil
		}
	default:
		d.mismatch("bool", "Boolean")
	}
}

// decodeTimestamp hands any value but null to Timestamp.UnmarshalJSON, as
// encoding/json does; its error ends decoding.
func decodeTimestamp(d *jsonDecoder, p **Timestamp) {
	if d.peek() == 'n' {
		if d.literal("null") {
			*p = nil
		}
		return
	}
	start := d.off
	d.skip()
	if d.stop {
		return
	}
	if *p == nil {
		*p = new(Timestamp)
	}
	if err := (*p).UnmarshalJSON(d.data[start:d.off]); err != nil {
		d.hard = err
		d.fail()
	}
}

type jsonStruct[T any] interface {
	*T
	jsonShape
}

func decodeStruct[T any, P jsonStruct[T]](d *jsonDecoder, p **T) {
	if d.peek() == 'n' {
		if d.literal("null") {
			*p = nil
		}
		return
	}
	if *p == nil {
		*p = new(T)
	}
	P(*p).decodeJSONValue(d)
}

// decodeList decodes an array into the slice as encoding/json does: into
// the elements already there, growing it, then truncating it; an empty
// array is an empty, non-nil slice.
func decodeList[T any](d *jsonDecoder, p *[]T, typ string, elem func(*T, *jsonDecoder)) {
	switch d.peek() {
	case '[':
	case 'n':
		if d.literal("null") {
			*p = nil
		}
		return
	default:
		d.mismatch(typ, "List")
		return
	}
	if !d.enter() {
		return
	}
	s := *p
	i := 0
	for first := true; d.element(first); first = false {
		if i >= cap(s) {
			s = slices.Grow(s, 1)
		}
		if i >= len(s) {
			s = s[:i+1]
		}
		elem(&s[i], d)
		i++
	}
	if i < len(s) {
		s = s[:i]
	}
	if i == 0 {
		s = []T{}
	}
	*p = s
}

// appendJSONKey appends the separator, if a member precedes, and the key.
func appendJSONKey(b []byte, start int, key string) []byte {
	if len(b) > start {
		b = append(b, ',')
	}
	return append(b, key...)
}

const hexDigits = "0123456789abcdef"

// htmlSafeByte is true for the ASCII bytes encoding/json writes as they are.
var htmlSafeByte = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendJSONString appends s quoted as encoding/json quotes it by
// default, for other hand-written encoders that must write its bytes (the
// engine's state).
func AppendJSONString(b []byte, s string) []byte { return appendJSONString(b, s) }

// appendJSONString quotes s as encoding/json does by default: HTML
// characters, U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if htmlSafeByte[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSON writes what MarshalJSON writes.
func (t *Timestamp) appendJSON(b []byte) []byte {
	return strconv.AppendFloat(b, float64(t.UnixMilli())/1000, 'f', -1, 64)
}

// encodedOutputKey marks a context whose caller only encodes outputs.
type encodedOutputKey struct{}

// WithEncodedOutput returns ctx marked as that of a caller that does
// nothing with an operation's output but AppendJSON it (the wire): the
// service may then answer with lists given only as their elements' JSON
// (History.EventsEncoded), which callers that read fields could not use.
func WithEncodedOutput(ctx context.Context) context.Context {
	return context.WithValue(ctx, encodedOutputKey{}, true)
}

// EncodedOutput reports whether ctx is marked by WithEncodedOutput.
func EncodedOutput(ctx context.Context) bool {
	v, _ := ctx.Value(encodedOutputKey{}).(bool)
	return v
}

// appendJSONEncodedList appends a JSON array of elements already encoded.
func appendJSONEncodedList(b []byte, elems [][]byte) []byte {
	b = append(b, '[')
	for i, e := range elems {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	return append(b, ']')
}
