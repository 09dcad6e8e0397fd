package sqlite

import (
	"slices"
	"sync"
	"time"

	"github.com/openswf/openswf/internal/store"
)

// registry keeps the domains and types read, because most calls name one:
// a start reads its domain and workflow type, a decision that schedules
// activities reads their types. Each read is a statement on the read pool
// and the decoding of a row, several percent of a workflow's CPU, for rows
// that almost never change.
//
// The cache is exact because this store is the only writer of the file
// that this process has: every change to a domain or a type goes through
// one of its methods, which empties the cache once the change is
// committed (forget). A read that started before such a change could put
// back what it read after the change emptied the cache; the generation
// prevents that: a read keeps what it read only if no change was
// committed since it looked at the cache.
//
// A second process writing the same file (not a supported deployment, but
// one SQLite allows) would not empty this cache: maxAge bounds for how long
// such a change goes unseen.
type registry struct {
	mu      sync.RWMutex
	gen     uint64
	domains map[string]cached[store.Domain]
	types   map[store.TypeKey]cached[store.Type]
	now     func() time.Time
}

// cached is a value and when it was read.
type cached[V any] struct {
	v  V
	at time.Time
}

const (
	// registryMaxAge bounds how long an entry is used without reading the
	// row again.
	registryMaxAge = 5 * time.Second
	// registryMaxEntries bounds each map; past it the map starts over.
	// SWF's default limits (100 domains, 10,000 types of a kind per
	// domain) make this a working set, not a copy of the table.
	registryMaxEntries = 4096
)

func newRegistry() *registry {
	return &registry{
		domains: map[string]cached[store.Domain]{},
		types:   map[store.TypeKey]cached[store.Type]{},
		now:     time.Now,
	}
}

// domain returns a copy of the cached domain named name, and the
// generation to give putDomain when it is not cached.
func (r *registry) domain(name string) (store.Domain, uint64, bool) {
	return get(r, r.domains, name, copyDomain)
}

// typ returns a copy of the cached type of key, and the generation to give
// putType when it is not cached.
func (r *registry) typ(key store.TypeKey) (store.Type, uint64, bool) {
	return get(r, r.types, key, copyType)
}

// putDomain keeps d, read from the database since generation gen was seen.
func (r *registry) putDomain(gen uint64, d store.Domain) {
	put(r, r.domains, gen, d.Name, copyDomain(d))
}

// putType keeps t, read from the database since generation gen was seen.
func (r *registry) putType(gen uint64, t store.Type) {
	put(r, r.types, gen, t.TypeKey, copyType(t))
}

func get[K comparable, V any](r *registry, m map[K]cached[V], k K, copyOf func(V) V) (V, uint64, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := m[k]
	if !ok || r.now().Sub(c.at) > registryMaxAge {
		var zero V
		return zero, r.gen, false
	}
	return copyOf(c.v), r.gen, true
}

func put[K comparable, V any](r *registry, m map[K]cached[V], gen uint64, k K, v V) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.gen {
		return
	}
	if len(m) >= registryMaxEntries {
		clear(m)
	}
	m[k] = cached[V]{v, r.now()}
}

// forget empties the cache after a change to a domain or a type, committed
// or not (a failed change is rare and the cache refills).
func (r *registry) forget() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gen++
	clear(r.domains)
	clear(r.types)
}

// The cache hands out copies, and keeps its own: a caller may change what
// it is given or what it gave.
func copyDomain(d store.Domain) store.Domain {
	d.Tags = slices.Clone(d.Tags)
	return d
}

func copyType(t store.Type) store.Type {
	t.Config = slices.Clone(t.Config)
	return t
}
