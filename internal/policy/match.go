package policy

import (
	"strings"
	"unicode/utf8"
)

// patternKind sorts a compiled pattern by the cheapest test that decides it.
// Most patterns in real policies are "*", an exact name or "prefix*", and
// those never need the general matcher.
type patternKind uint8

const (
	matchAny    patternKind = iota // "*"
	matchExact                     // no wildcard at all
	matchPrefix                    // one trailing "*" and no other wildcard
	matchGlob                      // anything else with "*" or "?"
)

// pattern is one compiled wildcard pattern. When fold is set, ASCII letters
// compare without regard to case: action names are ASCII and IAM compares
// them case-insensitively. Folding is ASCII-only on purpose, so that a
// non-ASCII character such as the Kelvin sign can never stand in for a
// letter of an action name.
type pattern struct {
	kind patternKind
	fold bool
	s    string // the literal (exact), the part before "*" (prefix) or the whole pattern (glob)
}

// compilePattern classifies p once, at Parse time, so that Evaluate does
// the least work.
func compilePattern(p string, fold bool) pattern {
	// A run of stars means what one star means; collapsing it keeps the
	// matcher's work proportional to the pattern's real content.
	for strings.Contains(p, "**") {
		p = strings.ReplaceAll(p, "**", "*")
	}
	if p == "*" {
		return pattern{kind: matchAny}
	}
	wild := strings.IndexAny(p, "*?")
	switch {
	case wild < 0:
		return pattern{kind: matchExact, fold: fold, s: p}
	case wild == len(p)-1 && p[wild] == '*':
		return pattern{kind: matchPrefix, fold: fold, s: p[:wild]}
	}
	return pattern{kind: matchGlob, fold: fold, s: p}
}

// match reports whether v matches the pattern.
func (p *pattern) match(v string) bool {
	switch p.kind {
	case matchAny:
		return true
	case matchExact:
		// Requests carry action names in their canonical case, so the
		// plain comparison usually decides and the folding one is the
		// fallback.
		return v == p.s || p.fold && asciiEqualFold(v, p.s)
	case matchPrefix:
		if len(v) < len(p.s) {
			return false
		}
		return v[:len(p.s)] == p.s || p.fold && asciiEqualFold(v[:len(p.s)], p.s)
	}
	return globMatch(p.s, v, p.fold)
}

// globMatch reports whether s matches the wildcard pattern p, where "*"
// stands for any run of characters (the empty run too) and "?" for exactly
// one character. It works on runes, so "?" takes one character and not one
// byte of a multi-byte one.
//
// Only the most recent "*" is ever revisited: when a later literal fails,
// that star takes one more character and matching resumes after it. A
// pattern is matched left to right with no other backtracking, so the cost
// is at most len(p)*len(s) steps: hostile patterns such as "*a*a*a*a*b"
// cannot make it exponential as a naive recursive matcher would be.
func globMatch(p, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0 // pattern index just past the last "*", and where in s it began
	for si < len(s) {
		if pi < len(p) {
			switch p[pi] {
			case '*':
				pi++
				starP, starS = pi, si
				continue
			case '?':
				_, sw := utf8.DecodeRuneInString(s[si:])
				pi++
				si += sw
				continue
			default:
				// Characters are compared as their bytes, so that two
				// different invalid bytes, both decoding to U+FFFD, stay
				// different, as they are to ==.
				pc, pw := decodeRune(p[pi:])
				sc, sw := decodeRune(s[si:])
				if (pw == sw && p[pi:pi+pw] == s[si:si+sw]) || (fold && pc < utf8.RuneSelf && sc < utf8.RuneSelf && asciiLower(pc) == asciiLower(sc)) {
					pi += pw
					si += sw
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last star swallow one more character and try again.
		_, sw := utf8.DecodeRuneInString(s[starS:])
		starS += sw
		pi, si = starP, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// decodeRune is utf8.DecodeRuneInString with a fast path for ASCII.
func decodeRune(s string) (rune, int) {
	if s[0] < utf8.RuneSelf {
		return rune(s[0]), 1
	}
	return utf8.DecodeRuneInString(s)
}

func asciiLower(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + ('a' - 'A')
	}
	return r
}

// asciiEqualFold is strings.EqualFold restricted to ASCII letters; every
// other byte must be equal as it is.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// arnPattern is a compiled Resource entry. IAM matches an ARN segment by
// segment (partition, service, region, account) and lets wildcards range
// over one segment; the last part, the resource itself, is matched whole.
// Keeping "*" inside its segment means a pattern such as
// "arn:aws:swf:*:123456789012:/domain/*" cannot be satisfied by a forged
// ARN that smuggles a second account in through the region.
type arnPattern struct {
	any bool // the bare "*"
	// head is the leading parts that have no wildcard, joined with their
	// colons ("arn:aws:swf:" when the region is "*"), and from is how many
	// parts it covers: the common patterns then cost one prefix comparison
	// and a match of what follows.
	head string
	from int
	seg  [6]pattern // "arn", partition, service, region, account, resource
}

// match reports whether the ARN v matches. A value that is not an ARN with
// all six parts matches only "*".
func (a *arnPattern) match(v string) bool {
	if a.any {
		return true
	}
	if len(v) < len(a.head) || v[:len(a.head)] != a.head {
		return false
	}
	v = v[len(a.head):]
	for i := a.from; i < 5; i++ {
		// ARN parts are short: a plain loop beats strings.IndexByte's
		// call overhead here.
		j := 0
		for j < len(v) && v[j] != ':' {
			j++
		}
		if j == len(v) || (a.seg[i].kind != matchAny && !a.seg[i].match(v[:j])) {
			return false
		}
		v = v[j+1:]
	}
	return a.seg[5].match(v)
}

// compileARN splits an ARN pattern into its parts. It reports false when
// the text is not an ARN of six colon-separated parts starting "arn:".
func compileARN(p string) (arnPattern, bool) {
	if p == "*" {
		return arnPattern{any: true}, true
	}
	if !strings.HasPrefix(p, "arn:") {
		return arnPattern{}, false
	}
	var a arnPattern
	rest := p
	literal := true
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return arnPattern{}, false
		}
		a.seg[i] = compilePattern(rest[:j], false)
		rest = rest[j+1:]
		if literal = literal && a.seg[i].kind == matchExact; literal {
			a.head, a.from = p[:len(p)-len(rest)], i+1
		}
	}
	a.seg[5] = compilePattern(rest, false)
	return a, true
}
