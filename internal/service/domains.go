package service

import (
	"context"
	"errors"
	"strconv"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// RegisterDomain registers a new domain, with its tags.
func (s *Service) RegisterDomain(ctx context.Context, in *swfapi.RegisterDomainInput) error {
	name, retention := *in.Name, *in.WorkflowExecutionRetentionPeriodInDays
	if err := firstError(
		checkDomainName("name", name),
		checkRetention("workflowExecutionRetentionPeriodInDays", retention),
		checkTags("tags", in.Tags),
	); err != nil {
		return err
	}
	tags := mergeTags(nil, in.Tags)
	if len(tags) > s.cfg.Limits.TagsPerDomain {
		return s.tooManyTags()
	}
	d := store.Domain{
		Name:        name,
		Description: deref(in.Description),
		Retention:   retention,
		Status:      store.StatusRegistered,
		Tags:        tags,
		CreatedAt:   s.clock.Now(),
	}
	switch err := s.store.CreateDomain(ctx, d, s.cfg.Limits.Domains); {
	case errors.Is(err, store.ErrExists):
		return swfapi.NewFault(swfapi.CodeDomainAlreadyExists, "%s", name)
	case errors.Is(err, store.ErrLimit):
		return swfapi.NewFault(swfapi.CodeLimitExceeded, "Limit of %d registered domains, including deprecated ones, has been reached", s.cfg.Limits.Domains)
	default:
		return err
	}
}

// DescribeDomain returns a domain's information and configuration.
func (s *Service) DescribeDomain(ctx context.Context, in *swfapi.DescribeDomainInput) (*swfapi.DomainDetail, error) {
	d, err := s.domain(ctx, *in.Name)
	if err != nil {
		return nil, err
	}
	return &swfapi.DomainDetail{
		DomainInfo: s.domainInfo(d),
		Configuration: &swfapi.DomainConfiguration{
			WorkflowExecutionRetentionPeriodInDays: swfapi.Ptr(d.Retention),
		},
	}, nil
}

// ListDomains lists the domains of one registration status, by name.
func (s *Service) ListDomains(ctx context.Context, in *swfapi.ListDomainsInput) (*swfapi.DomainInfos, error) {
	status := string(*in.RegistrationStatus)
	reverse := deref(in.ReverseOrder)
	query := queryKey("ListDomains", status, strconv.FormatBool(reverse))
	after, err := s.pages.read(query, in.NextPageToken)
	if err != nil {
		return nil, err
	}
	limit := pageSize(in.MaximumPageSize)
	q := store.DomainQuery{Status: status, Reverse: reverse, Limit: limit + 1}
	if len(after) == 1 {
		q.After = after[0]
	}
	domains, err := s.store.ListDomains(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &swfapi.DomainInfos{DomainInfos: []swfapi.DomainInfo{}}
	if len(domains) > limit {
		domains = domains[:limit]
		out.NextPageToken = s.pages.make(query, domains[limit-1].Name)
	}
	for _, d := range domains {
		out.DomainInfos = append(out.DomainInfos, *s.domainInfo(d))
	}
	return out, nil
}

// DeprecateDomain deprecates a domain and, with it, all of its types.
func (s *Service) DeprecateDomain(ctx context.Context, in *swfapi.DeprecateDomainInput) error {
	name := *in.Name
	_, err := s.store.DeprecateDomain(ctx, name, s.clock.Now(), func(d store.Domain) error {
		if d.Status == store.StatusDeprecated {
			return swfapi.NewFault(swfapi.CodeDomainDeprecated, "%s", name)
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return unknownDomain(name)
	}
	return err
}

// UndeprecateDomain makes a deprecated domain usable again. Its types stay as
// they are: each is undeprecated on its own.
func (s *Service) UndeprecateDomain(ctx context.Context, in *swfapi.UndeprecateDomainInput) error {
	name := *in.Name
	_, err := s.store.UpdateDomain(ctx, name, func(d *store.Domain) error {
		if d.Status == store.StatusRegistered {
			return swfapi.NewFault(swfapi.CodeDomainAlreadyExists, "%s", name)
		}
		d.Status = store.StatusRegistered
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return unknownDomain(name)
	}
	return err
}

// domain loads a domain of any status.
func (s *Service) domain(ctx context.Context, name string) (store.Domain, error) {
	d, err := s.store.GetDomain(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return d, unknownDomain(name)
	}
	return d, err
}

// domainExists checks that a domain exists, for the operations that need
// nothing more of it (polls). SWF has no way to delete a domain, so a
// domain seen once exists for good, on every node: the names seen are kept
// and not read again.
func (s *Service) domainExists(ctx context.Context, name string) error {
	if _, ok := s.domainsSeen.Load(name); ok {
		return nil
	}
	if _, err := s.domain(ctx, name); err != nil {
		return err
	}
	s.domainsSeen.Store(name, struct{}{})
	return nil
}

// registeredDomain loads a domain that may take new types and executions. A
// deprecated domain is no longer available for those operations, which SWF
// reports as an unknown resource.
func (s *Service) registeredDomain(ctx context.Context, name string) (store.Domain, error) {
	d, err := s.domain(ctx, name)
	if err == nil && d.Status != store.StatusRegistered {
		return d, unknownDomain(name)
	}
	return d, err
}

func (s *Service) domainInfo(d store.Domain) *swfapi.DomainInfo {
	info := &swfapi.DomainInfo{
		Name:   swfapi.Ptr(d.Name),
		Status: swfapi.Ptr(swfapi.RegistrationStatus(d.Status)),
		Arn:    swfapi.Ptr(s.domainARN(d.Name)),
	}
	if d.Description != "" {
		info.Description = swfapi.Ptr(d.Description)
	}
	return info
}

// domainARN is the ARN of a domain, in the form SWF gives it (the resource
// part starts with a slash).
func (s *Service) domainARN(name string) string {
	return "arn:aws:swf:" + s.cfg.Region + ":" + s.cfg.AccountID + ":/domain/" + name
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
