// Package store is the contract between the service and its durable state.
// Two backends implement it (store/sqlite, the default, and store/postgres);
// store/storetest holds the one conformance suite both must pass.
//
// Every exported method is one transaction, but for DeleteClosed, which
// deletes each run in one (see RetentionStore). Read-modify-write methods
// take a pure function that changes or checks the record in memory; the
// backend loads the row, calls the function, and commits the result only if
// it returned nil, so the service's rules run against the committed state
// and nothing is written half-way.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors a backend returns; the service turns them into SWF faults.
var (
	// ErrNotFound: the record does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: a record with that key exists already.
	ErrExists = errors.New("store: already exists")
	// ErrLimit: creating the record would pass the limit the caller gave.
	ErrLimit = errors.New("store: limit exceeded")
	// ErrSchema: the database's schema is older than this binary's (Ping).
	ErrSchema = errors.New("store: schema not current")
)

// Registration statuses of domains and types, as SWF spells them.
const (
	StatusRegistered = "REGISTERED"
	StatusDeprecated = "DEPRECATED"
)

// Domain is a registered SWF domain.
type Domain struct {
	Name        string
	Description string
	// Retention is the workflowExecutionRetentionPeriodInDays as registered:
	// "NONE" or a whole number of days.
	Retention string
	Status    string
	// Tags keep the order in which their keys were first set.
	Tags      []Tag
	CreatedAt time.Time
}

// Tag is a resource tag of a domain.
type Tag struct {
	Key   string
	Value string
}

// TypeKind tells activity types from workflow types; they live in separate
// namespaces of a domain.
type TypeKind string

// The two kinds of type.
const (
	ActivityType TypeKind = "activity"
	WorkflowType TypeKind = "workflow"
)

// TypeKey names one type.
type TypeKey struct {
	Domain  string
	Kind    TypeKind
	Name    string
	Version string
}

// Type is a registered activity or workflow type.
type Type struct {
	TypeKey
	Description  string
	Status       string
	CreatedAt    time.Time
	DeprecatedAt time.Time // zero unless deprecated
	// Config holds the type's defaults, encoded by the service; the store
	// keeps it as it is.
	Config []byte
}

// DomainQuery selects domains for ListDomains: those with Status, ordered by
// name (descending when Reverse), strictly after After in that order when
// After is set, at most Limit of them.
type DomainQuery struct {
	Status  string
	After   string
	Reverse bool
	Limit   int
}

// TypeQuery selects types of one kind in a domain: those with Status and,
// when Name is set, that name; ordered by name then version (both descending
// when Reverse), strictly after (AfterName, AfterVersion) in that order when
// AfterName is set, at most Limit of them.
type TypeQuery struct {
	Domain       string
	Kind         TypeKind
	Status       string
	Name         string
	AfterName    string
	AfterVersion string
	Reverse      bool
	Limit        int
}

// Store is the durable state of an openswf service.
type Store interface {
	ExecutionStore
	RetentionStore
	// CreateDomain adds d. It fails with ErrExists when a domain of that name
	// exists (in any status), and with ErrLimit when limit domains exist
	// already (limit <= 0: no limit).
	CreateDomain(ctx context.Context, d Domain, limit int) error
	// GetDomain returns the named domain, or ErrNotFound.
	GetDomain(ctx context.Context, name string) (Domain, error)
	// UpdateDomain loads the named domain (ErrNotFound if absent), applies
	// change, and stores the result unless change returns an error, which
	// UpdateDomain then returns as it is. It returns the stored domain.
	UpdateDomain(ctx context.Context, name string, change func(*Domain) error) (Domain, error)
	// DeprecateDomain loads the named domain (ErrNotFound if absent), calls
	// check with it, and unless check returns an error (returned as it is)
	// marks the domain DEPRECATED and, in the same transaction, every
	// REGISTERED type of the domain DEPRECATED as of at, as SWF does.
	DeprecateDomain(ctx context.Context, name string, at time.Time, check func(Domain) error) (Domain, error)
	// ListDomains returns the domains that q selects.
	ListDomains(ctx context.Context, q DomainQuery) ([]Domain, error)

	// CreateType adds t. It fails with ErrNotFound when t's domain does not
	// exist, ErrExists when a type of that kind, name and version exists (in
	// any status), and ErrLimit when the domain has limit types of that kind
	// already (limit <= 0: no limit). Before those checks it calls check with
	// t's domain, in the same transaction, and unless check returns an error
	// (returned as it is, nothing written) goes on: so a type is never added
	// to a domain that a concurrent DeprecateDomain has just deprecated.
	CreateType(ctx context.Context, t Type, limit int, check func(Domain) error) error
	// GetType returns the type, or ErrNotFound.
	GetType(ctx context.Context, key TypeKey) (Type, error)
	// UpdateType is UpdateDomain for a type.
	UpdateType(ctx context.Context, key TypeKey, change func(*Type) error) (Type, error)
	// DeleteType loads the type (ErrNotFound if absent), calls check, and
	// deletes the type unless check returns an error, which it returns.
	DeleteType(ctx context.Context, key TypeKey, check func(Type) error) error
	// ListTypes returns the types that q selects.
	ListTypes(ctx context.Context, q TypeQuery) ([]Type, error)

	// Secret returns the named secret: random bytes, created on first use and
	// kept from then on, so that tokens signed before a restart stay valid.
	Secret(ctx context.Context, name string) ([]byte, error)

	// Ping checks, cheaply enough to be asked every second, that the
	// store answers and can take writes, and that its schema is current
	// (else an error wrapping ErrSchema).
	Ping(ctx context.Context) error

	// Close releases the store. Calls after Close fail.
	Close() error
}
