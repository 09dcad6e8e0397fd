// Package dsn opens the store a configuration string names, so that the
// command line picks a backend without knowing their packages.
package dsn

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/store/postgres"
	"github.com/openswf/openswf/internal/store/schema"
	"github.com/openswf/openswf/internal/store/sqlite"
)

// forms is the accepted syntax, for error messages.
const forms = "sqlite:PATH, a bare PATH, or postgres://USER@HOST/DB (postgresql:// too)"

// Open opens the store spec names:
//
//	sqlite:PATH                SQLite file at PATH (made if missing)
//	PATH                       the same, for a path without a scheme
//	postgres://...             PostgreSQL, by URL as pgx reads it
//	postgresql://...
//
// Any other scheme is an error: a typo must not quietly become a SQLite
// file named after it. Both backends bring their schema up to date (for
// tests and tools); a server opens with OpenWith.
func Open(ctx context.Context, spec string, logger *slog.Logger) (store.Store, error) {
	return OpenWith(ctx, spec, logger, Options{Postgres: postgres.Options{Migrate: true}})
}

// Options are the backends' settings.
type Options struct {
	// Postgres applies to a PostgreSQL store. Without Migrate, a database
	// lacking migrations is refused (openswf migrate applies them);
	// SQLite always migrates itself, as one process owns its file.
	Postgres postgres.Options
}

// OpenWith opens the store spec names (see Open) with opts.
func OpenWith(ctx context.Context, spec string, logger *slog.Logger, opts Options) (store.Store, error) {
	switch backend, target, err := parseSpec(spec); {
	case err != nil:
		return nil, err
	case backend == "sqlite":
		s, err := sqlite.Open(ctx, target, logger)
		if err != nil {
			return nil, err
		}
		return s, nil
	default:
		s, err := postgres.OpenWith(ctx, target, logger, opts.Postgres)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// Migrate applies the migrations the store spec names lacks, and returns
// them.
func Migrate(ctx context.Context, spec string, logger *slog.Logger) ([]schema.Migration, error) {
	switch backend, target, err := parseSpec(spec); {
	case err != nil:
		return nil, err
	case backend == "sqlite":
		return sqlite.Migrate(ctx, target, logger)
	default:
		return postgres.Migrate(ctx, target, logger)
	}
}

// parseSpec is parse with the errors of a spec that names no store.
func parseSpec(spec string) (backend, target string, err error) {
	switch backend, target := parse(spec); backend {
	case "sqlite":
		if target == "" {
			return "", "", fmt.Errorf("store %q: sqlite: needs a path; want %s", spec, forms)
		}
		return backend, target, nil
	case "postgres":
		return backend, target, nil
	case "":
		return "", "", fmt.Errorf("store: empty; want %s", forms)
	default:
		return "", "", fmt.Errorf("store %q: unknown kind %q; want %s", spec, backend, forms)
	}
}

// parse splits spec into a backend name and what that backend opens.
func parse(spec string) (backend, target string) {
	switch {
	case strings.TrimSpace(spec) == "":
		return "", ""
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return "postgres", spec
	case strings.HasPrefix(spec, "sqlite:"):
		return "sqlite", strings.TrimPrefix(spec, "sqlite:")
	}
	if scheme, _, ok := strings.Cut(spec, ":"); ok && isScheme(scheme) {
		return scheme, ""
	}
	return "sqlite", spec
}

// isScheme reports whether s looks like a URL scheme (RFC 3986: a letter,
// then letters, digits, '+', '-' or '.'), so that "mysql://x" or
// "postgress://x" is refused rather than taken for a file name. A
// one-letter scheme would be a Windows drive, so it does not count.
func isScheme(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}
