package schema

import (
	"fmt"
	"slices"
	"strings"
)

// State compares the steps a database has recorded with the steps a
// binary knows.
type State struct {
	// Pending are the known steps the database has not recorded, in order.
	Pending []Migration
	// Unknown are recorded versions this binary does not know: a newer
	// openswf migrated the database.
	Unknown []int
}

// Compare returns the state of a database that has recorded the versions
// applied, for a binary that knows steps.
func Compare(steps []Migration, applied []int) State {
	var st State
	known := map[int]bool{}
	for _, m := range steps {
		known[m.Version] = true
		if !slices.Contains(applied, m.Version) {
			st.Pending = append(st.Pending, m)
		}
	}
	for _, v := range applied {
		if !known[v] {
			st.Unknown = append(st.Unknown, v)
		}
	}
	slices.Sort(st.Unknown)
	return st
}

// NewerError refuses a database a newer openswf has migrated: this binary
// cannot know what the steps it lacks changed, so it must not write there.
type NewerError struct {
	Unknown []int // the versions it does not know
	Known   int   // the newest it knows
}

func (e *NewerError) Error() string {
	return fmt.Sprintf("the database's schema has version %s, newer than this openswf knows (up to %d): run the openswf that migrated it, or a newer one",
		versions(e.Unknown), e.Known)
}

// OutdatedError refuses a database that lacks steps this binary needs,
// where the server does not migrate by itself (PostgreSQL: several nodes
// and their operator decide when the schema changes).
type OutdatedError struct {
	Pending []Migration
}

func (e *OutdatedError) Error() string {
	names := make([]string, len(e.Pending))
	for i, m := range e.Pending {
		names[i] = fmt.Sprintf("%04d_%s", m.Version, m.Name)
	}
	return fmt.Sprintf("the database's schema lacks %d migration(s) this openswf needs (%s): apply them with `openswf migrate --store URL` first",
		len(e.Pending), strings.Join(names, ", "))
}

func versions(vs []int) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = fmt.Sprintf("%04d", v)
	}
	return strings.Join(s, ", ")
}
