package throttle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"strconv"
)

// Load reads a settings file, a JSON object that overrides some quotas of
// base and keeps the rest:
//
//	{"apis": {"RecordActivityTaskHeartbeat": {"burst": 4000, "rate": 320}},
//	 "decisions": {"ScheduleActivityTask": {"burst": 2000}}}
//
// A quota may set burst, rate or both; the one it leaves out keeps base's
// value. Anything else is an error that names its place in the file
// ("apis.RecordActivityTaskHeartbeat.burst: ..."): an unknown member, an
// operation that is not one of SWF's, a decision type SWF does not
// rate-limit, a member given twice, a burst that is not a positive whole
// number, a rate that is not a positive number. The file is read strictly
// because a misspelt name silently ignored would leave a quota at a value
// the operator believes changed. base is not modified.
func Load(data []byte, base Settings) (Settings, error) {
	out := Settings{APIs: maps.Clone(base.APIs), Decisions: maps.Clone(base.Decisions)}
	if out.APIs == nil {
		out.APIs = map[string]Quota{}
	}
	if out.Decisions == nil {
		out.Decisions = map[string]Quota{}
	}
	ops := operationNames()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	err := readObject(dec, "", func(member, path string) error {
		switch member {
		case "apis":
			return readObject(dec, path, func(op, path string) error {
				if !ops[op] {
					return fmt.Errorf("%s: not an operation of SWF", path)
				}
				q, err := readQuota(dec, path, out.APIs[op])
				out.APIs[op] = q
				return err
			})
		case "decisions":
			return readObject(dec, path, func(t, path string) error {
				if err := checkDecisionType(t); err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				q, err := readQuota(dec, path, out.Decisions[t])
				out.Decisions[t] = q
				return err
			})
		}
		return fmt.Errorf("%s: unknown member (known: apis, decisions)", path)
	})
	if err == nil {
		end := dec.InputOffset()
		if _, terr := dec.Token(); terr != io.EOF {
			err = fmt.Errorf("offset %d: data after the settings object", end)
		}
	}
	if err == nil {
		// Catches what a file cannot say but base can: a bad quota the
		// file did not touch.
		err = out.Validate()
	}
	if err != nil {
		return Settings{}, fmt.Errorf("throttle settings: %w", err)
	}
	return out, nil
}

// readQuota reads a quota object at path over q, which holds the values a
// member left out keeps.
func readQuota(dec *json.Decoder, path string, q Quota) (Quota, error) {
	set := false
	err := readObject(dec, path, func(member, path string) error {
		n, err := readNumber(dec, path)
		if err != nil {
			return err
		}
		switch member {
		case "burst":
			b, ok := wholeNumber(n)
			if !ok || b <= 0 {
				return fmt.Errorf("%s: must be a positive whole number, not %s", path, n)
			}
			q.Burst = b
		case "rate":
			r, err := n.Float64()
			if err != nil || !(r > 0) || math.IsInf(r, 1) {
				return fmt.Errorf("%s: must be a positive number, not %s", path, n)
			}
			q.Rate = r
		default:
			return fmt.Errorf("%s: unknown member (known: burst, rate)", path)
		}
		set = true
		return nil
	})
	if err == nil && !set {
		err = fmt.Errorf("%s: sets neither burst nor rate", path)
	}
	return q, err
}

// readObject reads a JSON object at path, calling member for each member
// with its name and its path once the decoder stands before its value;
// member must consume the value. A name given twice is an error, since
// encoding/json would quietly keep the last.
func readObject(dec *json.Decoder, path string, member func(name, path string) error) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(dec, path, err)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("%s: must be an object, not %s", where(path), describe(tok))
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(dec, path, err)
		}
		name := tok.(string) // the decoder only yields strings as object keys
		sub := name
		if path != "" {
			sub = path + "." + name
		}
		if seen[name] {
			return fmt.Errorf("%s: given twice", sub)
		}
		seen[name] = true
		if err := member(name, sub); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return syntaxError(dec, path, err)
	}
	return nil
}

func readNumber(dec *json.Decoder, path string) (json.Number, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", syntaxError(dec, path, err)
	}
	n, ok := tok.(json.Number)
	if !ok {
		return "", fmt.Errorf("%s: must be a number, not %s", path, describe(tok))
	}
	return n, nil
}

// wholeNumber returns n as an int when it is one, written as 2000 or as
// 2e3 alike.
func wholeNumber(n json.Number) (int, bool) {
	if i, err := strconv.ParseInt(string(n), 10, 0); err == nil {
		return int(i), true
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || f < math.MinInt || f >= math.MaxInt {
		return 0, false
	}
	return int(f), true
}

// syntaxError words a decoding error with its place: the path the decoder
// was in and the byte offset, since a malformed file has no path for the
// bad byte itself.
func syntaxError(dec *json.Decoder, path string, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%s: offset %d: %w", where(path), dec.InputOffset(), err)
}

func where(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return strconv.Quote(t)
	case json.Number:
		return string(t)
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}
