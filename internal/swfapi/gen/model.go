package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// ordered is a JSON object whose key order is kept: the generator emits
// members in the model's order, and validation errors are listed in that order
// too, as AWS lists them.
type ordered struct {
	keys   []string
	values map[string]any
}

func (o *ordered) get(key string) any { return o.values[key] }

func (o *ordered) obj(key string) *ordered {
	v, _ := o.values[key].(*ordered)
	return v
}

func (o *ordered) str(key string) string {
	v, _ := o.values[key].(string)
	return v
}

// parseOrdered decodes a JSON document keeping object key order.
func parseOrdered(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the model")
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &ordered{values: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := o.values[k]; !dup {
					o.keys = append(o.keys, k)
				}
				o.values[k] = v
			}
			_, err := dec.Token()
			return o, err
		case '[':
			var list []any
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token()
			return list, err
		}
		return nil, fmt.Errorf("unexpected delimiter %v", t)
	default:
		return t, nil
	}
}

// stripDocs removes every "documentation" member, recursively: the repo keeps
// the model's contract, not its prose.
func stripDocs(v any) any {
	switch t := v.(type) {
	case *ordered:
		out := &ordered{values: map[string]any{}}
		for _, k := range t.keys {
			if k == "documentation" {
				continue
			}
			out.keys = append(out.keys, k)
			out.values[k] = stripDocs(t.values[k])
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = stripDocs(e)
		}
		return out
	default:
		return v
	}
}

// writeOrdered serialises v as indented JSON, keys in their original order.
func writeOrdered(w *strings.Builder, v any, indent string) {
	switch t := v.(type) {
	case *ordered:
		if len(t.keys) == 0 {
			w.WriteString("{}")
			return
		}
		w.WriteString("{\n")
		for i, k := range t.keys {
			kb, _ := json.Marshal(k)
			w.WriteString(indent + "  ")
			w.Write(kb)
			w.WriteString(": ")
			writeOrdered(w, t.values[k], indent+"  ")
			if i < len(t.keys)-1 {
				w.WriteString(",")
			}
			w.WriteString("\n")
		}
		w.WriteString(indent + "}")
	case []any:
		if len(t) == 0 {
			w.WriteString("[]")
			return
		}
		w.WriteString("[\n")
		for i, e := range t {
			w.WriteString(indent + "  ")
			writeOrdered(w, e, indent+"  ")
			if i < len(t)-1 {
				w.WriteString(",")
			}
			w.WriteString("\n")
		}
		w.WriteString(indent + "]")
	default:
		b, _ := json.Marshal(t)
		w.Write(b)
	}
}

// shape is the part of a Smithy-JSON (botocore) shape that the generator uses.
type shape struct {
	name      string
	typ       string // structure, string, list, integer, long, boolean, timestamp
	members   []member
	required  map[string]bool
	enum      []string
	min, max  *int64
	listOf    string
	exception bool
}

type member struct {
	name  string
	shape string
}

type operation struct {
	name   string
	input  string
	output string
	errors []string
}

type model struct {
	shapes     map[string]*shape
	shapeOrder []string
	operations []operation
	paginated  map[string]bool
}

func loadModel(service, paginators []byte) (*model, error) {
	root, err := parseOrdered(service)
	if err != nil {
		return nil, fmt.Errorf("service model: %w", err)
	}
	r := root.(*ordered)
	m := &model{shapes: map[string]*shape{}, paginated: map[string]bool{}}
	shapes := r.obj("shapes")
	for _, name := range shapes.keys {
		s := shapes.obj(name)
		sh := &shape{name: name, typ: s.str("type"), required: map[string]bool{}}
		if mem := s.obj("members"); mem != nil {
			for _, mn := range mem.keys {
				sh.members = append(sh.members, member{name: mn, shape: mem.obj(mn).str("shape")})
			}
		}
		if req, ok := s.get("required").([]any); ok {
			for _, q := range req {
				sh.required[q.(string)] = true
			}
		}
		if en, ok := s.get("enum").([]any); ok {
			for _, e := range en {
				sh.enum = append(sh.enum, e.(string))
			}
		}
		for key, dst := range map[string]**int64{"min": &sh.min, "max": &sh.max} {
			if n, ok := s.get(key).(json.Number); ok {
				v, err := n.Int64()
				if err != nil {
					return nil, fmt.Errorf("shape %s %s: %w", name, key, err)
				}
				*dst = &v
			}
		}
		if lm := s.obj("member"); lm != nil {
			sh.listOf = lm.str("shape")
		}
		sh.exception, _ = s.get("exception").(bool)
		m.shapes[name] = sh
		m.shapeOrder = append(m.shapeOrder, name)
	}
	ops := r.obj("operations")
	for _, name := range ops.keys {
		o := ops.obj(name)
		op := operation{name: name}
		if in := o.obj("input"); in != nil {
			op.input = in.str("shape")
		}
		if out := o.obj("output"); out != nil {
			op.output = out.str("shape")
		}
		if errs, ok := o.get("errors").([]any); ok {
			for _, e := range errs {
				op.errors = append(op.errors, e.(*ordered).str("shape"))
			}
		}
		m.operations = append(m.operations, op)
	}
	if paginators != nil {
		p, err := parseOrdered(paginators)
		if err != nil {
			return nil, fmt.Errorf("paginators: %w", err)
		}
		if pag := p.(*ordered).obj("pagination"); pag != nil {
			for _, k := range pag.keys {
				m.paginated[k] = true
			}
		}
	}
	return m, m.check()
}

// check refuses a model that uses a feature the generator does not implement,
// so that a newer model cannot silently lose a constraint.
func (m *model) check() error {
	for _, name := range m.shapeOrder {
		s := m.shapes[name]
		switch s.typ {
		case "structure", "string", "list", "integer", "long", "boolean", "timestamp":
		default:
			return fmt.Errorf("shape %s: unsupported type %q", name, s.typ)
		}
		for _, mem := range s.members {
			if m.shapes[mem.shape] == nil {
				return fmt.Errorf("shape %s member %s: unknown shape %s", name, mem.name, mem.shape)
			}
		}
		if s.typ == "list" && m.shapes[s.listOf] == nil {
			return fmt.Errorf("list %s: unknown member shape %s", name, s.listOf)
		}
	}
	return nil
}
