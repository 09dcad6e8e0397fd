package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func testReopen(t *testing.T, b Backend) {
	e := newEnv(t, b)
	d := domainFixture("d")
	d.Tags = []store.Tag{{Key: "b", Value: "1"}, {Key: "a", Value: "2"}}
	e.createDomain(d)
	e.createDomain(deprecatedDomain("old"))
	types := []store.Type{
		typeFixture("d", act, "t", "1"),
		deprecatedType("d", act, "t", "2"),
		typeFixture("d", wf, "w", "1"),
	}
	for _, ty := range types {
		e.createType(ty)
	}
	secret, err := e.s.Secret(t.Context(), "s")
	wantErr(t, "Secret", err, nil)

	for round := range 2 {
		e.reopen()
		e.wantDomain(e.getDomain("d"), d)
		e.wantDomain(e.getDomain("old"), deprecatedDomain("old"))
		for _, ty := range types {
			e.wantType(e.getType(ty.TypeKey), ty)
		}
		if got, err := e.s.Secret(t.Context(), "s"); err != nil || !bytes.Equal(got, secret) {
			t.Errorf("round %d: secret after reopen differs (%v)", round, err)
		}
		// The reopened store takes writes.
		name := fmt.Sprintf("after-%d", round)
		e.createDomain(domainFixture(name))
		e.createType(typeFixture(name, act, "t", "1"))
	}
	if got := domainNames(e.allDomains()); !slices.Equal(got, []string{"after-0", "after-1", "d", "old"}) {
		t.Errorf("domains after reopening = %q", got)
	}
}

// call is one use of each method, to check what they all must do.
type call struct {
	name string
	do   func(ctx context.Context, s store.Store) error
}

// allCalls touch domain "d" and its activity type t/1, or create "new"
// ones; none of them may write anything when it fails.
func allCalls() []call {
	tk := key("d", act, "t", "1")
	return []call{
		{"CreateDomain", func(ctx context.Context, s store.Store) error {
			return s.CreateDomain(ctx, domainFixture("new"), 0)
		}},
		{"GetDomain", func(ctx context.Context, s store.Store) error {
			_, err := s.GetDomain(ctx, "d")
			return err
		}},
		{"UpdateDomain", func(ctx context.Context, s store.Store) error {
			_, err := s.UpdateDomain(ctx, "d", func(d *store.Domain) error {
				d.Description = "changed"
				return nil
			})
			return err
		}},
		{"DeprecateDomain", func(ctx context.Context, s store.Store) error {
			_, err := s.DeprecateDomain(ctx, "d", time.Now(), func(store.Domain) error { return nil })
			return err
		}},
		{"ListDomains", func(ctx context.Context, s store.Store) error {
			_, err := s.ListDomains(ctx, store.DomainQuery{Status: store.StatusRegistered})
			return err
		}},
		{"CreateType", func(ctx context.Context, s store.Store) error {
			return s.CreateType(ctx, typeFixture("d", act, "new", "1"), 0, anyDomain)
		}},
		{"GetType", func(ctx context.Context, s store.Store) error {
			_, err := s.GetType(ctx, tk)
			return err
		}},
		{"UpdateType", func(ctx context.Context, s store.Store) error {
			_, err := s.UpdateType(ctx, tk, func(ty *store.Type) error {
				ty.Description = "changed"
				return nil
			})
			return err
		}},
		{"DeleteType", func(ctx context.Context, s store.Store) error {
			return s.DeleteType(ctx, tk, func(store.Type) error { return nil })
		}},
		{"ListTypes", func(ctx context.Context, s store.Store) error {
			_, err := s.ListTypes(ctx, store.TypeQuery{Domain: "d", Kind: act})
			return err
		}},
		{"Secret", func(ctx context.Context, s store.Store) error {
			_, err := s.Secret(ctx, "new")
			return err
		}},
	}
}

// unchanged checks that domain "d" and its type are as created and that no
// "new" records exist.
func (e *env) unchanged() {
	e.t.Helper()
	e.wantDomain(e.getDomain("d"), domainFixture("d"))
	e.wantType(e.getType(key("d", act, "t", "1")), typeFixture("d", act, "t", "1"))
	if _, err := e.s.GetDomain(e.t.Context(), "new"); !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf(`domain "new" exists after a failed create (%v)`, err)
	}
	if _, err := e.s.GetType(e.t.Context(), key("d", act, "new", "1")); !errors.Is(err, store.ErrNotFound) {
		e.t.Errorf(`type "new" exists after a failed create (%v)`, err)
	}
}

func testCanceled(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.createDomain(domainFixture("d"))
	e.createType(typeFixture("d", act, "t", "1"))

	t.Run("before the call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		for _, c := range allCalls() {
			if err := c.do(ctx, e.s); !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a canceled context: got %v, want context.Canceled", c.name, err)
			}
		}
		e.unchanged()
	})

	// A context that ends while the transaction is open, after the row is
	// read: the write must not happen.
	t.Run("during the transaction", func(t *testing.T) {
		tk := key("d", act, "t", "1")
		calls := []call{
			{"UpdateDomain", func(ctx context.Context, s store.Store) error {
				ctx, cancel := context.WithCancel(ctx)
				_, err := s.UpdateDomain(ctx, "d", func(d *store.Domain) error {
					d.Description = "changed"
					cancel()
					return nil
				})
				return err
			}},
			{"DeprecateDomain", func(ctx context.Context, s store.Store) error {
				ctx, cancel := context.WithCancel(ctx)
				_, err := s.DeprecateDomain(ctx, "d", time.Now(), func(store.Domain) error {
					cancel()
					return nil
				})
				return err
			}},
			{"UpdateType", func(ctx context.Context, s store.Store) error {
				ctx, cancel := context.WithCancel(ctx)
				_, err := s.UpdateType(ctx, tk, func(ty *store.Type) error {
					ty.Description = "changed"
					cancel()
					return nil
				})
				return err
			}},
			{"DeleteType", func(ctx context.Context, s store.Store) error {
				ctx, cancel := context.WithCancel(ctx)
				return s.DeleteType(ctx, tk, func(store.Type) error {
					cancel()
					return nil
				})
			}},
		}
		for _, c := range calls {
			if err := c.do(t.Context(), e.s); !errors.Is(err, context.Canceled) {
				t.Errorf("%s canceled half-way: got %v, want context.Canceled", c.name, err)
			}
		}
		e.unchanged()
	})

	// The store still works for callers whose context is live.
	e.createDomain(domainFixture("after"))
}

func testClosed(t *testing.T, b Backend) {
	e := newEnv(t, b)
	e.createDomain(domainFixture("d"))
	e.createType(typeFixture("d", act, "t", "1"))
	if err := e.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, c := range allCalls() {
		if err := c.do(t.Context(), e.s); err == nil {
			t.Errorf("%s after Close succeeded", c.name)
		}
	}
	// Nothing was written by the calls that failed.
	e.s = e.open()
	e.unchanged()
}
