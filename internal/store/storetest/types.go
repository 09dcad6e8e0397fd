package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

const (
	act = store.ActivityType
	wf  = store.WorkflowType
)

func testCreateType(t *testing.T, b Backend) {
	// registered is the service's check: no new types in a deprecated
	// domain.
	registered := func(d store.Domain) error {
		if d.Status != store.StatusRegistered {
			return errRefused
		}
		return nil
	}
	tests := []struct {
		name     string
		existing []store.Type
		create   store.Type
		limit    int
		check    func(store.Domain) error // nil: accept any domain
		want     error
	}{
		{"first", nil, typeFixture("d", act, "t", "1"), 0, nil, nil},
		{"unknown domain", nil, typeFixture("nope", act, "t", "1"), 0, nil, store.ErrNotFound},
		{"unknown domain at limit", nil, typeFixture("nope", act, "t", "1"), 1, nil, store.ErrNotFound},
		{"in a deprecated domain", nil, typeFixture("old", act, "t", "1"), 0, nil, nil},
		{"check passes", nil, typeFixture("d", act, "t", "1"), 0, registered, nil},
		{"check refuses", nil, typeFixture("old", act, "t", "1"), 0, registered, errRefused},
		{"check comes before duplicate", []store.Type{typeFixture("old", act, "t", "1")}, typeFixture("old", act, "t", "1"), 0, registered, errRefused},
		{"check comes before limit", []store.Type{typeFixture("old", act, "a", "1")}, typeFixture("old", act, "t", "1"), 1, registered, errRefused},
		{"duplicate", []store.Type{typeFixture("d", act, "t", "1")}, typeFixture("d", act, "t", "1"), 0, nil, store.ErrExists},
		{"duplicate workflow", []store.Type{typeFixture("d", wf, "t", "1")}, typeFixture("d", wf, "t", "1"), 0, nil, store.ErrExists},
		{"duplicate of deprecated", []store.Type{deprecatedType("d", act, "t", "1")}, typeFixture("d", act, "t", "1"), 0, nil, store.ErrExists},
		{"other version", []store.Type{typeFixture("d", act, "t", "1")}, typeFixture("d", act, "t", "2"), 0, nil, nil},
		{"other kind", []store.Type{typeFixture("d", wf, "t", "1")}, typeFixture("d", act, "t", "1"), 0, nil, nil},
		{"other domain", []store.Type{typeFixture("e", act, "t", "1")}, typeFixture("d", act, "t", "1"), 0, nil, nil},
		{"under limit", []store.Type{typeFixture("d", act, "a", "1")}, typeFixture("d", act, "t", "1"), 2, nil, nil},
		{"at limit", []store.Type{typeFixture("d", act, "a", "1"), typeFixture("d", act, "b", "1")}, typeFixture("d", act, "t", "1"), 2, nil, store.ErrLimit},
		{"deprecated count toward limit", []store.Type{typeFixture("d", act, "a", "1"), deprecatedType("d", act, "b", "1")}, typeFixture("d", act, "t", "1"), 2, nil, store.ErrLimit},
		{"limit is per kind", []store.Type{typeFixture("d", wf, "a", "1"), typeFixture("d", wf, "b", "1")}, typeFixture("d", act, "t", "1"), 2, nil, nil},
		{"limit is per domain", []store.Type{typeFixture("e", act, "a", "1"), typeFixture("e", act, "b", "1")}, typeFixture("d", act, "t", "1"), 2, nil, nil},
		{"duplicate at limit is a duplicate", []store.Type{typeFixture("d", act, "t", "1")}, typeFixture("d", act, "t", "1"), 1, nil, store.ErrExists},
		{"zero limit is none", []store.Type{typeFixture("d", act, "a", "1")}, typeFixture("d", act, "t", "1"), 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			e.createDomain(domainFixture("d"))
			e.createDomain(domainFixture("e"))
			e.createDomain(deprecatedDomain("old"))
			for _, ty := range tt.existing {
				e.createType(ty)
			}
			checked := 0
			check := func(d store.Domain) error {
				checked++
				// The check sees the type's domain as stored.
				want := domainFixture(tt.create.Domain)
				if tt.create.Domain == "old" {
					want = deprecatedDomain("old")
				}
				e.wantDomain(d, want)
				if tt.check != nil {
					return tt.check(d)
				}
				return nil
			}
			before := e.allTypes(tt.create.Domain, tt.create.Kind)
			err := e.s.CreateType(t.Context(), tt.create, tt.limit, check)
			wantErr(t, "CreateType", err, tt.want)
			switch {
			case errors.Is(tt.want, store.ErrNotFound) && checked != 0:
				t.Errorf("check called %d times for a missing domain", checked)
			case !errors.Is(tt.want, store.ErrNotFound) && checked != 1:
				t.Errorf("check called %d times, want once", checked)
			}
			if tt.want != nil {
				if after := e.allTypes(tt.create.Domain, tt.create.Kind); !sameTypes(after, before) {
					t.Errorf("failed CreateType changed the types: %v, was %v", typeKeys(after), typeKeys(before))
				}
				return
			}
			e.wantType(e.getType(tt.create.TypeKey), tt.create)
		})
	}
}

func testGetType(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.createDomain(domainFixture("d"))
	want := typeFixture("d", act, "t", "1")
	e.createType(want)
	e.wantType(e.getType(want.TypeKey), want)
	for _, k := range []store.TypeKey{
		key("d", wf, "t", "1"),
		key("d", act, "t", "2"),
		key("d", act, "T", "1"),
		key("e", act, "t", "1"),
	} {
		_, err := e.s.GetType(t.Context(), k)
		wantErr(t, "GetType", err, store.ErrNotFound)
	}
}

func testUpdateType(t *testing.T, b Backend) {
	at := time.Date(2025, 6, 7, 8, 9, 10, 999999999, time.UTC)
	tests := []struct {
		name   string
		key    store.TypeKey
		change func(*store.Type) error
		want   error
	}{
		{"deprecate", key("d", act, "t", "1"), func(ty *store.Type) error {
			ty.Status, ty.DeprecatedAt = store.StatusDeprecated, at
			return nil
		}, nil},
		{"undeprecate", key("d", wf, "old", "1"), func(ty *store.Type) error {
			ty.Status, ty.DeprecatedAt = store.StatusRegistered, time.Time{}
			return nil
		}, nil},
		{"description and config", key("d", act, "t", "1"), func(ty *store.Type) error {
			ty.Description = "new"
			ty.Config = []byte{0, 1, 2, 255}
			return nil
		}, nil},
		{"no change", key("d", act, "t", "1"), func(*store.Type) error { return nil }, nil},
		{"refused", key("d", act, "t", "1"), func(ty *store.Type) error {
			ty.Status = store.StatusDeprecated
			ty.Config = nil
			return errRefused
		}, errRefused},
		{"missing", key("d", act, "t", "2"), func(*store.Type) error { return nil }, store.ErrNotFound},
		{"missing kind", key("d", wf, "t", "1"), func(*store.Type) error { return nil }, store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			e.createDomain(domainFixture("d"))
			originals := []store.Type{
				typeFixture("d", act, "t", "1"),
				typeFixture("d", act, "u", "1"),
				deprecatedType("d", wf, "old", "1"),
			}
			for _, ty := range originals {
				e.createType(ty)
			}
			orig := map[store.TypeKey]store.Type{}
			for _, ty := range originals {
				orig[ty.TypeKey] = ty
			}

			calls := 0
			var seen store.Type
			got, err := e.s.UpdateType(t.Context(), tt.key, func(ty *store.Type) error {
				calls++
				seen = *ty
				return tt.change(ty)
			})
			wantErr(t, "UpdateType", err, tt.want)
			if errors.Is(err, store.ErrNotFound) {
				if calls != 0 {
					t.Errorf("change called %d times for a missing type", calls)
				}
				return
			}
			e.wantType(seen, orig[tt.key])
			want := orig[tt.key]
			if tt.want == nil {
				if err := tt.change(&want); err != nil {
					t.Fatal(err)
				}
				e.wantType(got, want)
				orig[tt.key] = want
			}
			check := func() {
				t.Helper()
				for k, ty := range orig {
					e.wantType(e.getType(k), ty)
				}
			}
			check()
			e.reopen()
			check()
		})
	}
}

func testDeleteType(t *testing.T, b Backend) {
	tests := []struct {
		name    string
		key     store.TypeKey
		check   func(store.Type) error
		want    error
		deleted bool
	}{
		{"allowed", key("d", act, "t", "1"), func(store.Type) error { return nil }, nil, true},
		{"deprecated", key("d", act, "old", "1"), func(store.Type) error { return nil }, nil, true},
		{"refused", key("d", act, "t", "1"), func(store.Type) error { return errRefused }, errRefused, false},
		{"missing", key("d", act, "t", "2"), func(store.Type) error { return nil }, store.ErrNotFound, false},
		{"missing kind", key("d", wf, "u", "1"), func(store.Type) error { return nil }, store.ErrNotFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			e.createDomain(domainFixture("d"))
			all := []store.Type{
				typeFixture("d", act, "t", "1"),
				typeFixture("d", act, "u", "1"),
				deprecatedType("d", act, "old", "1"),
				typeFixture("d", wf, "t", "1"),
			}
			for _, ty := range all {
				e.createType(ty)
			}
			calls := 0
			err := e.s.DeleteType(t.Context(), tt.key, func(ty store.Type) error {
				calls++
				for _, want := range all {
					if want.TypeKey == tt.key {
						e.wantType(ty, want)
					}
				}
				return tt.check(ty)
			})
			wantErr(t, "DeleteType", err, tt.want)
			if errors.Is(err, store.ErrNotFound) && calls != 0 {
				t.Errorf("check called %d times for a missing type", calls)
			}
			e.reopen()
			for _, want := range all {
				got, err := e.s.GetType(t.Context(), want.TypeKey)
				if tt.deleted && want.TypeKey == tt.key {
					wantErr(t, "GetType after DeleteType", err, store.ErrNotFound)
					continue
				}
				wantErr(t, "GetType", err, nil)
				e.wantType(got, want)
			}
		})
	}
}
