package main

import (
	"bytes"
	"fmt"
	"strings"
)

// jsonCodec writes json_gen.go: for every structure, an encoder and a
// decoder that do what encoding/json does with the shapes' Go types,
// without reflection. The helpers they call are in jsoncodec.go.
func (g *generator) jsonCodec(b *bytes.Buffer) {
	b.WriteString("package swfapi\n\nimport \"strconv\"\n\n")
	var stringLists []string
	seenList := map[string]bool{}
	for _, s := range g.sortedShapes("structure") {
		if s.exception {
			continue
		}
		g.jsonEncoder(b, s)
		g.jsonDecoder(b, s)
		for _, mem := range s.members {
			ms := g.shape(mem.shape)
			if ms.typ != "list" {
				continue
			}
			elem := g.shape(ms.listOf)
			if elem.typ == "string" && !seenList[g.elemType(ms.listOf)] {
				seenList[g.elemType(ms.listOf)] = true
				stringLists = append(stringLists, ms.listOf)
			}
		}
	}
	for _, name := range stringLists {
		et := g.elemType(name)
		fmt.Fprintf(b, "func %s(e *%s, d *jsonDecoder) {\n\tdecodeStringElem(d, e, %q)\n}\n\n", elemDecoderName(et), et, goTypeString(et))
	}
}

func elemDecoderName(goType string) string {
	return "decodeJSONElem" + exported(goType)
}

// goTypeString is how reflect.Type's String names a type of this package,
// as encoding/json's errors name it.
func goTypeString(t string) string {
	t = strings.TrimPrefix(t, "*")
	prefix := ""
	if rest, ok := strings.CutPrefix(t, "[]"); ok {
		prefix, t = "[]", rest
	}
	switch t {
	case "string", "int32", "int64", "bool":
		return prefix + t
	}
	return prefix + "swfapi." + t
}

func (g *generator) jsonEncoder(b *bytes.Buffer, s *shape) {
	fmt.Fprintf(b, "// AppendJSON appends v as json.Marshal writes it.\nfunc (v *%s) AppendJSON(b []byte) []byte {\n", s.name)
	b.WriteString("\tif v == nil {\n\t\treturn append(b, \"null\"...)\n\t}\n")
	if len(s.members) == 0 {
		b.WriteString("\treturn append(b, \"{}\"...)\n}\n\n")
		return
	}
	b.WriteString("\tb = append(b, '{')\n\tstart := len(b)\n")
	for _, mem := range s.members {
		ms := g.shape(mem.shape)
		field := "v." + exported(mem.name)
		key := fmt.Sprintf("`\"%s\":`", mem.name)
		if ms.typ == "list" {
			elem := g.shape(ms.listOf)
			var appendElem string
			switch elem.typ {
			case "structure":
				appendElem = fmt.Sprintf("b = %s[i].AppendJSON(b)", field)
			case "string":
				appendElem = fmt.Sprintf("b = appendJSONString(b, string(%s[i]))", field)
			default:
				panic("unsupported list element " + elem.typ)
			}
			loop := fmt.Sprintf("b = append(b, '[')\n\t\tfor i := range %s {\n\t\t\tif i > 0 {\n\t\t\t\tb = append(b, ',')\n\t\t\t}\n\t\t\t%s\n\t\t}\n\t\tb = append(b, ']')", field, appendElem)
			if g.encodedListOf(mem) {
				// The elements' own JSON, when the service gave it
				// (History's and DecisionTask's events).
				enc := field + "Encoded"
				fmt.Fprintf(b, "\tswitch {\n\tcase %s != nil:\n\t\tb = appendJSONKey(b, start, %s)\n\t\tb = appendJSONEncodedList(b, %s)\n\tcase %s != nil:\n\t\tb = appendJSONKey(b, start, %s)\n\t\t%s\n\t}\n",
					enc, key, enc, field, key, loop)
				continue
			}
			// Not sent when nil, as the tag's omitzero says.
			fmt.Fprintf(b, "\tif %s != nil {\n\t\tb = appendJSONKey(b, start, %s)\n\t\t%s\n\t}\n", field, key, loop)
			continue
		}
		var value string
		switch ms.typ {
		case "structure":
			value = fmt.Sprintf("%s.AppendJSON(b)", field)
		case "string":
			value = fmt.Sprintf("appendJSONString(b, string(*%s))", field)
		case "integer", "long":
			value = fmt.Sprintf("strconv.AppendInt(b, int64(*%s), 10)", field)
		case "boolean":
			value = fmt.Sprintf("strconv.AppendBool(b, *%s)", field)
		case "timestamp":
			value = fmt.Sprintf("%s.appendJSON(b)", field)
		default:
			panic("unsupported member type " + ms.typ)
		}
		fmt.Fprintf(b, "\tif %s != nil {\n\t\tb = appendJSONKey(b, start, %s)\n\t\tb = %s\n\t}\n", field, key, value)
	}
	b.WriteString("\treturn append(b, '}')\n}\n\n")
}

func (g *generator) jsonDecoder(b *bytes.Buffer, s *shape) {
	fmt.Fprintf(b, "func (v *%s) decodeJSONValue(d *jsonDecoder) {\n", s.name)
	fmt.Fprintf(b, "\tif !d.beginObject(%q) {\n\t\treturn\n\t}\n", goTypeString(s.name))
	if len(s.members) == 0 {
		b.WriteString("\tfor first := true; d.member(first); first = false {\n\t\td.skip()\n\t}\n}\n\n")
		return
	}
	b.WriteString("\tfor first := true; d.member(first); first = false {\n")
	fmt.Fprintf(b, "\t\tswitch jsonField%s(d.key) {\n", s.name)
	for i, mem := range s.members {
		ms := g.shape(mem.shape)
		field := "v." + exported(mem.name)
		var call string
		switch ms.typ {
		case "structure":
			call = fmt.Sprintf("decodeStruct(d, &%s)", field)
		case "string":
			call = fmt.Sprintf("decodeString(d, &%s, %q)", field, goTypeString(g.goType(mem.shape)))
		case "integer", "long":
			call = fmt.Sprintf("decodeInt(d, &%s, %q)", field, goTypeString(g.goType(mem.shape)))
		case "boolean":
			call = fmt.Sprintf("decodeBool(d, &%s)", field)
		case "timestamp":
			call = fmt.Sprintf("decodeTimestamp(d, &%s)", field)
		case "list":
			elem := g.shape(ms.listOf)
			var elemFn string
			switch elem.typ {
			case "structure":
				elemFn = fmt.Sprintf("(*%s).decodeJSONValue", elem.name)
			case "string":
				elemFn = elemDecoderName(g.elemType(ms.listOf))
			default:
				panic("unsupported list element " + elem.typ)
			}
			call = fmt.Sprintf("decodeList(d, &%s, %q, %s)", field, goTypeString(g.goType(mem.shape)), elemFn)
		default:
			panic("unsupported member type " + ms.typ)
		}
		fmt.Fprintf(b, "\t\tcase %d:\n\t\t\td.push(%q)\n\t\t\t%s\n\t\t\td.pop()\n", i, mem.name, call)
	}
	b.WriteString("\t\tdefault:\n\t\t\td.skip()\n\t\t}\n\t}\n}\n\n")

	// Member names match exactly, as AWS's JSON protocols match them: a
	// key that differs in case is an unknown member, and ignored.
	fmt.Fprintf(b, "func jsonField%s(key []byte) int {\n\tswitch string(key) {\n", s.name)
	for i, mem := range s.members {
		fmt.Fprintf(b, "\tcase %q:\n\t\treturn %d\n", mem.name, i)
	}
	b.WriteString("\t}\n\treturn -1\n}\n\n")
}
