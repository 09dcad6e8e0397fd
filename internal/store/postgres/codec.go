package postgres

import (
	"time"

	"github.com/openswf/openswf/internal/store/columns"
)

// nullMillis stores the zero time, "not set", as NULL rather than as a
// date in year 1.
func nullMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := columns.Millis(t)
	return &ms
}

func fromNullMillis(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return columns.FromMillis(*ms)
}

// nullString stores "" ("none", as a run without a parent has) as NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// scanner is a pgx.Row or pgx.Rows.
type scanner interface{ Scan(dest ...any) error }
