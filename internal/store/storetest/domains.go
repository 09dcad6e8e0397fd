package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func testCreateDomain(t *testing.T, b Backend) {
	tests := []struct {
		name     string
		existing []store.Domain
		create   store.Domain
		limit    int
		want     error
	}{
		{"first", nil, domainFixture("a"), 0, nil},
		{"second", []store.Domain{domainFixture("a")}, domainFixture("b"), 0, nil},
		{"duplicate", []store.Domain{domainFixture("a")}, domainFixture("a"), 0, store.ErrExists},
		{"duplicate of deprecated", []store.Domain{deprecatedDomain("a")}, domainFixture("a"), 0, store.ErrExists},
		{"names are case-sensitive", []store.Domain{domainFixture("a")}, domainFixture("A"), 0, nil},
		{"under limit", []store.Domain{domainFixture("a")}, domainFixture("b"), 2, nil},
		{"at limit", []store.Domain{domainFixture("a"), domainFixture("b")}, domainFixture("c"), 2, store.ErrLimit},
		{"deprecated count toward limit", []store.Domain{domainFixture("a"), deprecatedDomain("b")}, domainFixture("c"), 2, store.ErrLimit},
		{"duplicate at limit is a duplicate", []store.Domain{domainFixture("a"), domainFixture("b")}, domainFixture("a"), 2, store.ErrExists},
		{"zero limit is none", []store.Domain{domainFixture("a"), domainFixture("b")}, domainFixture("c"), 0, nil},
		{"negative limit is none", []store.Domain{domainFixture("a")}, domainFixture("b"), -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			for _, d := range tt.existing {
				e.createDomain(d)
			}
			before := e.allDomains()
			err := e.s.CreateDomain(t.Context(), tt.create, tt.limit)
			wantErr(t, "CreateDomain", err, tt.want)
			if tt.want != nil {
				if after := e.allDomains(); !sameDomains(after, before) {
					t.Errorf("failed CreateDomain changed the domains: %v, was %v", domainNames(after), domainNames(before))
				}
				return
			}
			e.wantDomain(e.getDomain(tt.create.Name), tt.create)
		})
	}
}

func testGetDomain(t *testing.T, b Backend) {
	e := newEnv(t, b)
	d := domainFixture("here")
	d.Tags = []store.Tag{{Key: "k", Value: "v"}}
	e.createDomain(d)
	e.wantDomain(e.getDomain("here"), d)
	for _, name := range []string{"there", "HERE", "her", "here "} {
		_, err := e.s.GetDomain(t.Context(), name)
		wantErr(t, "GetDomain("+name+")", err, store.ErrNotFound)
	}
}

func testUpdateDomain(t *testing.T, b Backend) {
	tests := []struct {
		name   string
		domain string
		change func(*store.Domain) error
		want   error
	}{
		{"description and retention", "d", func(d *store.Domain) error {
			d.Description = "new words"
			d.Retention = "NONE"
			return nil
		}, nil},
		{"status", "d", func(d *store.Domain) error {
			d.Status = store.StatusDeprecated
			return nil
		}, nil},
		{"tags", "d", func(d *store.Domain) error {
			d.Tags = append(d.Tags, store.Tag{Key: "new", Value: "tag"})
			return nil
		}, nil},
		{"remove tags", "d", func(d *store.Domain) error {
			d.Tags = nil
			return nil
		}, nil},
		{"no change", "d", func(*store.Domain) error { return nil }, nil},
		{"refused", "d", func(d *store.Domain) error {
			d.Description = "must not be written"
			d.Tags = nil
			return errRefused
		}, errRefused},
		{"missing", "nope", func(*store.Domain) error { return nil }, store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, b)
			orig := domainFixture("d")
			orig.Tags = []store.Tag{{Key: "old", Value: "tag"}}
			e.createDomain(orig)
			e.createDomain(domainFixture("other"))

			calls := 0
			var seen store.Domain
			got, err := e.s.UpdateDomain(t.Context(), tt.domain, func(d *store.Domain) error {
				calls++
				seen = *d
				return tt.change(d)
			})
			wantErr(t, "UpdateDomain", err, tt.want)
			if errors.Is(err, store.ErrNotFound) {
				if calls != 0 {
					t.Errorf("change called %d times for a missing domain", calls)
				}
				return
			}
			e.wantDomain(seen, orig) // change sees the committed state
			want := orig
			if tt.want != nil {
				e.wantDomain(e.getDomain("d"), orig)
				return
			}
			if err := tt.change(&want); err != nil {
				t.Fatal(err)
			}
			e.wantDomain(got, want)
			e.wantDomain(e.getDomain("d"), want)
			e.reopen()
			e.wantDomain(e.getDomain("d"), want)
			e.wantDomain(e.getDomain("other"), domainFixture("other"))
		})
	}
}

func testDeprecateDomain(t *testing.T, b Backend) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 678901234, time.UTC)
	setup := func(t *testing.T) *env {
		e := newEnv(t, b)
		e.createDomain(domainFixture("d"))
		e.createDomain(domainFixture("other"))
		for _, dom := range []string{"d", "other"} {
			for _, kind := range []store.TypeKind{store.ActivityType, store.WorkflowType} {
				e.createType(typeFixture(dom, kind, "live", "1"))
				e.createType(typeFixture(dom, kind, "live", "2"))
				e.createType(deprecatedType(dom, kind, "old", "1"))
			}
		}
		return e
	}

	t.Run("deprecates the domain and its registered types", func(t *testing.T) {
		t.Parallel()
		e := setup(t)
		var seen store.Domain
		got, err := e.s.DeprecateDomain(t.Context(), "d", at, func(d store.Domain) error {
			seen = d
			return nil
		})
		wantErr(t, "DeprecateDomain", err, nil)
		e.wantDomain(seen, domainFixture("d"))
		e.wantDomain(got, deprecatedDomain("d"))
		check := func() {
			t.Helper()
			e.wantDomain(e.getDomain("d"), deprecatedDomain("d"))
			e.wantDomain(e.getDomain("other"), domainFixture("other"))
			for _, kind := range []store.TypeKind{store.ActivityType, store.WorkflowType} {
				for _, v := range []string{"1", "2"} {
					want := typeFixture("d", kind, "live", v)
					want.Status, want.DeprecatedAt = store.StatusDeprecated, at
					e.wantType(e.getType(want.TypeKey), want)
					e.wantType(e.getType(key("other", kind, "live", v)), typeFixture("other", kind, "live", v))
				}
				// Types deprecated before keep their own time.
				e.wantType(e.getType(key("d", kind, "old", "1")), deprecatedType("d", kind, "old", "1"))
				e.wantType(e.getType(key("other", kind, "old", "1")), deprecatedType("other", kind, "old", "1"))
			}
		}
		check()
		e.reopen()
		check()
	})

	tests := []struct {
		name   string
		domain string
		check  func(store.Domain) error
		want   error
	}{
		{"refused", "d", func(store.Domain) error { return errRefused }, errRefused},
		{"missing", "nope", func(store.Domain) error { return nil }, store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			beforeDomains := e.allDomains()
			beforeTypes := e.allTypes("d", store.ActivityType)
			_, err := e.s.DeprecateDomain(t.Context(), tt.domain, at, tt.check)
			wantErr(t, "DeprecateDomain", err, tt.want)
			if !sameDomains(e.allDomains(), beforeDomains) {
				t.Errorf("failed DeprecateDomain changed domains")
			}
			if !sameTypes(e.allTypes("d", store.ActivityType), beforeTypes) {
				t.Errorf("failed DeprecateDomain changed types")
			}
		})
	}
}
