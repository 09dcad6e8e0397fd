package sqlite

import (
	"testing"
	"time"

	"github.com/openswf/openswf/internal/store"
)

func TestRegistryGenerations(t *testing.T) {
	r := newRegistry()
	key := store.TypeKey{Domain: "d", Kind: store.ActivityType, Name: "a", Version: "1"}
	old := store.Type{TypeKey: key, Status: store.StatusRegistered, Config: []byte(`{}`)}

	// A read that began before a change was committed must not keep what
	// it read.
	_, gen, ok := r.typ(key)
	if ok {
		t.Fatal("an empty cache had the type")
	}
	r.forget()
	r.putType(gen, old)
	if _, _, ok := r.typ(key); ok {
		t.Fatal("a read from before a change was kept")
	}

	// A read that began after it is kept, until the next change.
	_, gen, _ = r.typ(key)
	r.putType(gen, old)
	got, _, ok := r.typ(key)
	if !ok || got.Status != store.StatusRegistered {
		t.Fatalf("cached type: %+v, %v", got, ok)
	}
	r.forget()
	if _, _, ok := r.typ(key); ok {
		t.Fatal("a change left the type cached")
	}

	_, gen, _ = r.domain("d")
	r.putDomain(gen, store.Domain{Name: "d", Tags: []store.Tag{{Key: "k", Value: "v"}}})
	d, _, ok := r.domain("d")
	if !ok || len(d.Tags) != 1 {
		t.Fatalf("cached domain: %+v, %v", d, ok)
	}
	r.forget()
	if _, _, ok := r.domain("d"); ok {
		t.Fatal("a change left the domain cached")
	}
}

func TestRegistryCopiesAndAge(t *testing.T) {
	r := newRegistry()
	now := time.Unix(1e9, 0)
	r.now = func() time.Time { return now }
	key := store.TypeKey{Domain: "d", Kind: store.WorkflowType, Name: "w", Version: "1"}
	_, gen, _ := r.typ(key)
	r.putType(gen, store.Type{TypeKey: key, Config: []byte(`{"a":1}`)})

	got, _, _ := r.typ(key)
	got.Config[0] = 'X'
	again, _, _ := r.typ(key)
	if string(again.Config) != `{"a":1}` {
		t.Fatalf("a caller's change reached the cache: %s", again.Config)
	}

	now = now.Add(registryMaxAge)
	if _, _, ok := r.typ(key); !ok {
		t.Fatal("an entry expired at its age limit, not past it")
	}
	now = now.Add(time.Millisecond)
	if _, _, ok := r.typ(key); ok {
		t.Fatal("an entry past registryMaxAge was used")
	}
}

// TestRegistryFollowsChanges reads each domain and type, changes it
// through the store, and reads it again: the second read must see the
// change, for every way a domain or type changes.
func TestRegistryFollowsChanges(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, t.TempDir()+"/r.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	at := time.Unix(1.7e9, 0).UTC()
	if err := s.CreateDomain(ctx, store.Domain{Name: "d", Retention: "1", Status: store.StatusRegistered, CreatedAt: at}, 0); err != nil {
		t.Fatal(err)
	}
	key := store.TypeKey{Domain: "d", Kind: store.ActivityType, Name: "a", Version: "1"}
	if err := s.CreateType(ctx, store.Type{TypeKey: key, Status: store.StatusRegistered, CreatedAt: at}, 0, nil); err != nil {
		t.Fatal(err)
	}
	status := func() (string, string) {
		t.Helper()
		d, err := s.GetDomain(ctx, "d")
		if err != nil {
			t.Fatal(err)
		}
		ty, err := s.GetType(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return d.Status, ty.Status
	}
	status() // both cached now
	if _, err := s.UpdateType(ctx, key, func(ty *store.Type) error { ty.Description = "x"; return nil }); err != nil {
		t.Fatal(err)
	}
	if ty, _ := s.GetType(ctx, key); ty.Description != "x" {
		t.Fatalf("after UpdateType: %+v", ty)
	}
	if _, err := s.UpdateDomain(ctx, "d", func(d *store.Domain) error { d.Description = "y"; return nil }); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.GetDomain(ctx, "d"); d.Description != "y" {
		t.Fatalf("after UpdateDomain: %+v", d)
	}
	status()
	if _, err := s.DeprecateDomain(ctx, "d", at, func(store.Domain) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if d, ty := status(); d != store.StatusDeprecated || ty != store.StatusDeprecated {
		t.Fatalf("after DeprecateDomain: domain %s, type %s", d, ty)
	}
	if err := s.DeleteType(ctx, key, func(store.Type) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetType(ctx, key); err == nil {
		t.Fatal("a deleted type was still found")
	}
}
