// Package service implements the SWF operations: the glue between the wire
// (swfapi types, already validated against the model), the service's own
// rules, and the store. Each operation follows one shape: check what the model
// cannot express, load, apply, commit in one store transaction, answer.
package service

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/openswf/openswf/internal/clock"
	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// Limits are SWF's account quotas, which the service enforces.
type Limits struct {
	// Domains is the most domains, registered and deprecated, an account has.
	Domains int
	// TypesPerKind is the most activity types, and separately workflow
	// types, that a domain has, registered and deprecated.
	TypesPerKind int
	// TagsPerDomain is the most tags a domain carries.
	TagsPerDomain int
}

// DefaultLimits are Amazon SWF's documented quotas.
func DefaultLimits() Limits {
	return Limits{Domains: 100, TypesPerKind: 10000, TagsPerDomain: 50}
}

// Config is what a Service needs besides its store.
type Config struct {
	Region    string
	AccountID string
	Limits    Limits
}

// Service is the SWF API. Operations not built yet answer NotImplemented
// through the embedded swfapi.Unimplemented.
type Service struct {
	swfapi.Unimplemented

	cfg    Config
	store  store.Store
	clock  clock.Clock
	logger *slog.Logger
	pages  *pageTokens
}

var _ swfapi.API = (*Service)(nil)

// New returns a Service over st. It reads the page-token secret from the
// store, so that tokens handed out before a restart stay valid after it.
func New(ctx context.Context, cfg Config, st store.Store, clk clock.Clock, logger *slog.Logger) (*Service, error) {
	secret, err := st.Secret(ctx, "page-token")
	if err != nil {
		return nil, fmt.Errorf("reading the page token secret: %w", err)
	}
	return &Service{
		cfg:    cfg,
		store:  st,
		clock:  clk,
		logger: logger,
		pages:  &pageTokens{secret: secret, clock: clk},
	}, nil
}
