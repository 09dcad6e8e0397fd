package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/openswf/openswf/internal/store"
)

func testConcurrentUpdates(t *testing.T, b Backend) {
	e := newEnv(t, b)
	ctx := t.Context()
	e.createDomain(domainFixture("d"))

	t.Run("no lost updates", func(t *testing.T) {
		const n = 20
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := e.s.UpdateDomain(ctx, "d", func(d *store.Domain) error {
					d.Tags = append(d.Tags, store.Tag{Key: fmt.Sprint(i), Value: "v"})
					return nil
				})
				if err != nil {
					t.Errorf("UpdateDomain %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		got := e.getDomain("d").Tags
		keys := map[string]bool{}
		for _, tag := range got {
			keys[tag.Key] = true
		}
		if len(got) != n || len(keys) != n {
			t.Errorf("after %d concurrent appends the domain has %d tags (%d distinct): %v", n, len(got), len(keys), got)
		}
	})

	// Creates racing for the last places under a limit, or for one name,
	// must not overshoot: exactly the winners succeed, the rest get the
	// contract's errors, never a driver's.
	race := func(n int, create func(i int) error) (ok int, errs []error) {
		var (
			wg sync.WaitGroup
			mu sync.Mutex
		)
		for i := range n {
			wg.Go(func() {
				err := create(i)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else {
					errs = append(errs, err)
				}
			})
		}
		wg.Wait()
		return ok, errs
	}
	wantOnly := func(t *testing.T, errs []error, want error) {
		t.Helper()
		for _, err := range errs {
			if !errors.Is(err, want) {
				t.Errorf("got %v, want %v", err, want)
			}
		}
	}
	t.Run("domain limit", func(t *testing.T) {
		ok, errs := race(10, func(i int) error {
			return e.s.CreateDomain(ctx, domainFixture(fmt.Sprint("limited-", i)), 6) // "d" is one
		})
		if ok != 5 {
			t.Errorf("%d creates succeeded under a limit leaving room for 5", ok)
		}
		wantOnly(t, errs, store.ErrLimit)
	})
	t.Run("domain name", func(t *testing.T) {
		ok, errs := race(10, func(int) error { return e.s.CreateDomain(ctx, domainFixture("same"), 0) })
		if ok != 1 {
			t.Errorf("%d creates of one domain succeeded", ok)
		}
		wantOnly(t, errs, store.ErrExists)
	})
	t.Run("type limit", func(t *testing.T) {
		ok, errs := race(10, func(i int) error {
			return e.s.CreateType(ctx, typeFixture("d", act, fmt.Sprint("t", i), "1"), 4, anyDomain)
		})
		if ok != 4 {
			t.Errorf("%d creates succeeded under a limit of 4", ok)
		}
		wantOnly(t, errs, store.ErrLimit)
	})
	t.Run("type key", func(t *testing.T) {
		ok, errs := race(10, func(int) error { return e.s.CreateType(ctx, typeFixture("d", wf, "same", "1"), 0, anyDomain) })
		if ok != 1 {
			t.Errorf("%d creates of one type succeeded", ok)
		}
		wantOnly(t, errs, store.ErrExists)
	})

	// A type is never registered in a domain that a concurrent
	// DeprecateDomain deprecated: either the create commits first (and the
	// deprecation catches its type) or its check sees the deprecated
	// domain.
	t.Run("type in a domain being deprecated", func(t *testing.T) {
		for round := range 5 {
			name := fmt.Sprint("dep-", round)
			e.createDomain(domainFixture(name))
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					err := e.s.CreateType(ctx, typeFixture(name, act, fmt.Sprint("t", i), "1"), 0, func(d store.Domain) error {
						if d.Status != store.StatusRegistered {
							return errRefused
						}
						return nil
					})
					if err != nil && !errors.Is(err, errRefused) {
						t.Errorf("CreateType: %v", err)
					}
				})
			}
			wg.Go(func() {
				if _, err := e.s.DeprecateDomain(ctx, name, t0, anyDomain); err != nil {
					t.Errorf("DeprecateDomain: %v", err)
				}
			})
			wg.Wait()
			for _, ty := range e.allTypes(name, act) {
				if ty.Status != store.StatusDeprecated {
					t.Errorf("type %s is %s in deprecated domain %s", ty.Name, ty.Status, name)
				}
			}
		}
	})
}
