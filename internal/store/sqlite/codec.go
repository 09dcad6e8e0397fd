package sqlite

import (
	"database/sql"
	"time"

	"github.com/openswf/openswf/internal/store/columns"
)

// nullMillis stores the zero time, "not set", as NULL rather than as a
// date in year 1.
func nullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: columns.Millis(t), Valid: true}
}

func fromNullMillis(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return columns.FromMillis(ms.Int64)
}

// nullString stores "" ("none", as a run without a parent has) as NULL.
func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }
