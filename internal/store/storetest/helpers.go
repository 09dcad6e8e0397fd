package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// env is one test's database and the store currently open on it.
type env struct {
	t    *testing.T
	open func() store.Store
	s    store.Store
}

func newEnv(t *testing.T, b Backend) *env {
	t.Helper()
	e := &env{t: t, open: b(t)}
	e.s = e.open()
	// Whatever store is open at the end; closing twice is harmless.
	t.Cleanup(func() { _ = e.s.Close() })
	return e
}

// reopen closes the store and opens the database again, as a restart does.
func (e *env) reopen() {
	e.t.Helper()
	if err := e.s.Close(); err != nil {
		e.t.Fatalf("Close: %v", err)
	}
	e.s = e.open()
}

func (e *env) createDomain(d store.Domain) {
	e.t.Helper()
	if err := e.s.CreateDomain(e.t.Context(), d, 0); err != nil {
		e.t.Fatalf("CreateDomain(%s): %v", d.Name, err)
	}
}

func (e *env) createType(ty store.Type) {
	e.t.Helper()
	if err := e.s.CreateType(e.t.Context(), ty, 0, anyDomain); err != nil {
		e.t.Fatalf("CreateType(%v): %v", ty.TypeKey, err)
	}
}

func (e *env) getDomain(name string) store.Domain {
	e.t.Helper()
	d, err := e.s.GetDomain(e.t.Context(), name)
	if err != nil {
		e.t.Fatalf("GetDomain(%s): %v", name, err)
	}
	return d
}

func (e *env) getType(k store.TypeKey) store.Type {
	e.t.Helper()
	ty, err := e.s.GetType(e.t.Context(), k)
	if err != nil {
		e.t.Fatalf("GetType(%v): %v", k, err)
	}
	return ty
}

// allDomains lists every domain, for checking that a failed call wrote
// nothing.
func (e *env) allDomains() []store.Domain {
	e.t.Helper()
	ds, err := e.s.ListDomains(e.t.Context(), store.DomainQuery{})
	if err != nil {
		e.t.Fatalf("ListDomains: %v", err)
	}
	return ds
}

// allTypes lists every type of one kind in a domain.
func (e *env) allTypes(domain string, kind store.TypeKind) []store.Type {
	e.t.Helper()
	ts, err := e.s.ListTypes(e.t.Context(), store.TypeQuery{Domain: domain, Kind: kind})
	if err != nil {
		e.t.Fatalf("ListTypes: %v", err)
	}
	return ts
}

// t0 has nanoseconds and a zone on purpose: stores keep UTC milliseconds.
var t0 = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("UTC+2", 2*3600))

func domainFixture(name string) store.Domain {
	return store.Domain{
		Name:        name,
		Description: "about " + name,
		Retention:   "7",
		Status:      store.StatusRegistered,
		CreatedAt:   t0,
	}
}

func deprecatedDomain(name string) store.Domain {
	d := domainFixture(name)
	d.Status = store.StatusDeprecated
	return d
}

func key(domain string, kind store.TypeKind, name, version string) store.TypeKey {
	return store.TypeKey{Domain: domain, Kind: kind, Name: name, Version: version}
}

func typeFixture(domain string, kind store.TypeKind, name, version string) store.Type {
	return store.Type{
		TypeKey:     key(domain, kind, name, version),
		Description: fmt.Sprintf("%s %s/%s", kind, name, version),
		Status:      store.StatusRegistered,
		CreatedAt:   t0,
		Config:      []byte(`{"defaultTaskList":"` + name + `"}`),
	}
}

func deprecatedType(domain string, kind store.TypeKind, name, version string) store.Type {
	ty := typeFixture(domain, kind, name, version)
	ty.Status = store.StatusDeprecated
	ty.DeprecatedAt = t0.Add(time.Hour)
	return ty
}

// ms is t as a store gives it back: cut to the millisecond.
func ms(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(t.UnixMilli())
}

// sameDomain compares a domain read back with the one written: times to
// the millisecond, nil and empty tags alike.
func sameDomain(got, want store.Domain) bool {
	if !got.CreatedAt.Equal(ms(want.CreatedAt)) {
		return false
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	if len(got.Tags) == 0 && len(want.Tags) == 0 {
		got.Tags, want.Tags = nil, nil
	}
	return reflect.DeepEqual(got, want)
}

// sameType compares a type read back with the one written: times to the
// millisecond, nil and empty config alike.
func sameType(got, want store.Type) bool {
	if !got.CreatedAt.Equal(ms(want.CreatedAt)) || !got.DeprecatedAt.Equal(ms(want.DeprecatedAt)) {
		return false
	}
	if !bytes.Equal(got.Config, want.Config) {
		return false
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	got.DeprecatedAt, want.DeprecatedAt = time.Time{}, time.Time{}
	got.Config, want.Config = nil, nil
	return reflect.DeepEqual(got, want)
}

func sameDomains(got, want []store.Domain) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !sameDomain(got[i], want[i]) {
			return false
		}
	}
	return true
}

func sameTypes(got, want []store.Type) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !sameType(got[i], want[i]) {
			return false
		}
	}
	return true
}

func (e *env) wantDomain(got, want store.Domain) {
	e.t.Helper()
	if !sameDomain(got, want) {
		e.t.Errorf("got domain\n\t%+v\nwant\n\t%+v", got, want)
	}
}

func (e *env) wantType(got, want store.Type) {
	e.t.Helper()
	if !sameType(got, want) {
		e.t.Errorf("got type\n\t%+v\nwant\n\t%+v", got, want)
	}
}

func domainNames(ds []store.Domain) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

func typeKeys(ts []store.Type) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name + "@" + t.Version
	}
	return out
}

// wantErr checks err against want: nil, or an error errors.Is finds.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: unexpected error %v", what, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// errRefused is what the suite's change and check functions return to
// refuse; backends must hand it back as it is.
var errRefused = errors.New("storetest: refused")

// anyDomain is a CreateType check that accepts every domain.
func anyDomain(store.Domain) error { return nil }
