package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/openswf/openswf/internal/store"
)

// listNames are domain and type names whose bytewise order differs from
// any case-insensitive or locale-aware order: digits, upper case, '_',
// lower case, a space, '~' and a two-byte UTF-8 letter.
var listNames = []string{"a", "B", "b", "Z", "_", "a b", "ab", "é", "z", "~", "0"}

// betweenNames are keys for After that are no domain's name, falling
// before, between and after them.
var betweenNames = []string{"!", "aa", "c", "zz", "ÿ"}

// modelDomains is what ListDomains must return, computed from the contract.
func modelDomains(all []store.Domain, q store.DomainQuery) []store.Domain {
	var out []store.Domain
	for _, d := range all {
		if q.Status != "" && d.Status != q.Status {
			continue
		}
		if q.After != "" && (!q.Reverse && d.Name <= q.After || q.Reverse && d.Name >= q.After) {
			continue
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b store.Domain) int {
		if q.Reverse {
			return strings.Compare(b.Name, a.Name)
		}
		return strings.Compare(a.Name, b.Name)
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}

func listDomainsFixture(e *env) []store.Domain {
	var all []store.Domain
	for i, name := range listNames {
		d := domainFixture(name)
		if i%3 == 1 {
			d.Status = store.StatusDeprecated
		}
		e.createDomain(d)
		all = append(all, d)
	}
	return all
}

func testListDomains(t *testing.T, b Backend) {
	e := newEnv(t, b)
	all := listDomainsFixture(e)
	afters := append([]string{""}, append(slices.Clone(listNames), betweenNames...)...)
	failures := 0
	for _, status := range []string{store.StatusRegistered, store.StatusDeprecated, ""} {
		for _, reverse := range []bool{false, true} {
			for _, after := range afters {
				for _, limit := range []int{0, 1, 3} {
					q := store.DomainQuery{Status: status, After: after, Reverse: reverse, Limit: limit}
					got, err := e.s.ListDomains(t.Context(), q)
					if err != nil {
						t.Fatalf("ListDomains(%+v): %v", q, err)
					}
					if want := modelDomains(all, q); !sameDomains(got, want) {
						t.Errorf("ListDomains(%+v) = %q, want %q", q, domainNames(got), domainNames(want))
						if failures++; failures > 10 {
							t.Fatal("too many failures")
						}
					}
				}
			}
		}
	}
	// An empty database lists nothing, without error.
	empty := newEnv(t, b)
	if got, err := empty.s.ListDomains(t.Context(), store.DomainQuery{Status: store.StatusRegistered}); err != nil || len(got) != 0 {
		t.Errorf("ListDomains on an empty store = %v, %v", domainNames(got), err)
	}
}

// testListDomainsPaging walks the list a page at a time, as the service
// does with page tokens, and expects the whole list.
func testListDomainsPaging(t *testing.T, b Backend) {
	e := newEnv(t, b)
	all := listDomainsFixture(e)
	for _, reverse := range []bool{false, true} {
		for _, status := range []string{store.StatusRegistered, ""} {
			want := modelDomains(all, store.DomainQuery{Status: status, Reverse: reverse})
			var got []store.Domain
			q := store.DomainQuery{Status: status, Reverse: reverse, Limit: 2}
			for pages := 0; ; pages++ {
				if pages > len(all) {
					t.Fatalf("paging does not end: %q", domainNames(got))
				}
				page, err := e.s.ListDomains(t.Context(), q)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, page...)
				if len(page) < q.Limit {
					break
				}
				q.After = page[len(page)-1].Name
			}
			if !sameDomains(got, want) {
				t.Errorf("paging status=%q reverse=%v = %q, want %q", status, reverse, domainNames(got), domainNames(want))
			}
		}
	}
}

// compareTypes orders types by name, then version, bytewise.
func compareTypes(a, b store.Type) int {
	return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Version, b.Version))
}

// modelTypes is what ListTypes must return, computed from the contract.
func modelTypes(all []store.Type, q store.TypeQuery) []store.Type {
	var out []store.Type
	after := store.Type{TypeKey: store.TypeKey{Name: q.AfterName, Version: q.AfterVersion}}
	for _, ty := range all {
		switch {
		case ty.Domain != q.Domain, ty.Kind != q.Kind:
		case q.Status != "" && ty.Status != q.Status:
		case q.Name != "" && ty.Name != q.Name:
		case q.AfterName != "" && !q.Reverse && compareTypes(ty, after) <= 0:
		case q.AfterName != "" && q.Reverse && compareTypes(ty, after) >= 0:
		default:
			out = append(out, ty)
		}
	}
	slices.SortFunc(out, func(a, b store.Type) int {
		if q.Reverse {
			return compareTypes(b, a)
		}
		return compareTypes(a, b)
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}

// typeNames and typeVersions make versions that sort differently as
// numbers and as bytes.
var (
	typeNames    = []string{"a", "B", "b", "é", "a b"}
	typeVersions = []string{"1", "10", "2", "V1", "v1"}
)

func listTypesFixture(e *env) []store.Type {
	e.createDomain(domainFixture("d"))
	e.createDomain(domainFixture("e"))
	var all []store.Type
	i := 0
	for _, dom := range []string{"d", "e"} {
		for _, kind := range []store.TypeKind{act, wf} {
			for _, name := range typeNames {
				for _, version := range typeVersions {
					i++
					if i%4 == 0 {
						continue // not every name has every version
					}
					ty := typeFixture(dom, kind, name, version)
					if i%3 == 0 {
						ty = deprecatedType(dom, kind, name, version)
					}
					e.createType(ty)
					all = append(all, ty)
				}
			}
		}
	}
	return all
}

func testListTypes(t *testing.T, b Backend) {
	e := newEnv(t, b)
	all := listTypesFixture(e)

	type pair struct{ name, version string }
	afters := []pair{{}, {"a", ""}, {"a", "15"}, {"b", "zz"}, {"c", "1"}, {"!", "1"}, {"ÿ", ""}}
	for _, ty := range all {
		if ty.Domain == "d" && ty.Kind == act && len(afters) < 20 {
			afters = append(afters, pair{ty.Name, ty.Version})
		}
	}
	failures := 0
	for _, kind := range []store.TypeKind{act, wf} {
		for _, status := range []string{store.StatusRegistered, store.StatusDeprecated, ""} {
			for _, name := range []string{"", "a", "é", "missing"} {
				for _, reverse := range []bool{false, true} {
					for _, after := range afters {
						for _, limit := range []int{0, 2} {
							q := store.TypeQuery{Domain: "d", Kind: kind, Status: status, Name: name,
								AfterName: after.name, AfterVersion: after.version, Reverse: reverse, Limit: limit}
							got, err := e.s.ListTypes(t.Context(), q)
							if err != nil {
								t.Fatalf("ListTypes(%+v): %v", q, err)
							}
							if want := modelTypes(all, q); !sameTypes(got, want) {
								t.Errorf("ListTypes(%+v) = %q, want %q", q, typeKeys(got), typeKeys(want))
								if failures++; failures > 10 {
									t.Fatal("too many failures")
								}
							}
						}
					}
				}
			}
		}
	}
	for _, q := range []store.TypeQuery{
		{Domain: "nope", Kind: act},
		{Domain: "D", Kind: act},
	} {
		if got, err := e.s.ListTypes(t.Context(), q); err != nil || len(got) != 0 {
			t.Errorf("ListTypes(%+v) = %q, %v; want nothing", q, typeKeys(got), err)
		}
	}
}

func testListTypesPaging(t *testing.T, b Backend) {
	e := newEnv(t, b)
	all := listTypesFixture(e)
	for _, reverse := range []bool{false, true} {
		for _, name := range []string{"", "b"} {
			base := store.TypeQuery{Domain: "d", Kind: wf, Status: store.StatusRegistered, Name: name, Reverse: reverse}
			want := modelTypes(all, base)
			var got []store.Type
			q := base
			q.Limit = 3
			for pages := 0; ; pages++ {
				if pages > len(all) {
					t.Fatalf("paging does not end: %q", typeKeys(got))
				}
				page, err := e.s.ListTypes(t.Context(), q)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, page...)
				if len(page) < q.Limit {
					break
				}
				q.AfterName, q.AfterVersion = page[len(page)-1].Name, page[len(page)-1].Version
			}
			if !sameTypes(got, want) {
				t.Errorf("paging %s = %q, want %q", fmt.Sprintf("%+v", base), typeKeys(got), typeKeys(want))
			}
		}
	}
}
