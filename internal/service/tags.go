package service

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/openswf/openswf/internal/store"
	"github.com/openswf/openswf/internal/swfapi"
)

// Tag keys and values may hold only letters, digits, white space and
// _ . : / = + - @, as SWF documents.
var tagPattern = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)

const tagPatternRule = `Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`

func checkTags(path string, tags []swfapi.ResourceTag) error {
	var problems []string
	for i, t := range tags {
		member := path + "." + strconv.Itoa(i+1) + ".member."
		if t.Key != nil && !tagPattern.MatchString(*t.Key) {
			problems = append(problems, swfapi.NewValidationError(*t.Key, member+"key", tagPatternRule).Problems...)
		}
		if t.Value != nil && !tagPattern.MatchString(*t.Value) {
			problems = append(problems, swfapi.NewValidationError(*t.Value, member+"value", tagPatternRule).Problems...)
		}
	}
	if problems != nil {
		return &swfapi.ValidationError{Problems: problems}
	}
	return nil
}

// mergeTags sets tags on existing: a key already present takes the new
// value, and new keys are added in order.
func mergeTags(existing []store.Tag, tags []swfapi.ResourceTag) []store.Tag {
	out := append([]store.Tag(nil), existing...)
	for _, t := range tags {
		tag := store.Tag{Key: *t.Key, Value: deref(t.Value)}
		found := false
		for i := range out {
			if out[i].Key == tag.Key {
				out[i], found = tag, true
				break
			}
		}
		if !found {
			out = append(out, tag)
		}
	}
	return out
}

func (s *Service) tooManyTags() error {
	return swfapi.NewFault(swfapi.CodeTooManyTags, "A domain can have at most %d tags", s.cfg.Limits.TagsPerDomain)
}

// domainOfARN returns the name of the domain an ARN of this region and
// account names.
func (s *Service) domainOfARN(arn string) (string, error) {
	prefix := "arn:aws:swf:" + s.cfg.Region + ":" + s.cfg.AccountID + ":/domain/"
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || name == "" {
		return "", swfapi.NewFault(swfapi.CodeUnknownResource, "Unknown resource: %s", arn)
	}
	return name, nil
}

// TagResource adds tags to a domain or changes their values.
func (s *Service) TagResource(ctx context.Context, in *swfapi.TagResourceInput) error {
	name, err := s.domainOfARN(*in.ResourceArn)
	if err != nil {
		return err
	}
	if err := checkTags("tags", in.Tags); err != nil {
		return err
	}
	_, err = s.store.UpdateDomain(ctx, name, func(d *store.Domain) error {
		d.Tags = mergeTags(d.Tags, in.Tags)
		if len(d.Tags) > s.cfg.Limits.TagsPerDomain {
			return s.tooManyTags()
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return unknownDomain(name)
	}
	return err
}

// UntagResource removes tags from a domain; keys it does not carry are
// ignored.
func (s *Service) UntagResource(ctx context.Context, in *swfapi.UntagResourceInput) error {
	name, err := s.domainOfARN(*in.ResourceArn)
	if err != nil {
		return err
	}
	_, err = s.store.UpdateDomain(ctx, name, func(d *store.Domain) error {
		kept := d.Tags[:0]
		for _, t := range d.Tags {
			remove := false
			for _, k := range in.TagKeys {
				if k == t.Key {
					remove = true
					break
				}
			}
			if !remove {
				kept = append(kept, t)
			}
		}
		d.Tags = kept
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return unknownDomain(name)
	}
	return err
}

// ListTagsForResource lists a domain's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *swfapi.ListTagsForResourceInput) (*swfapi.ListTagsForResourceOutput, error) {
	name, err := s.domainOfARN(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	d, err := s.domain(ctx, name)
	if err != nil {
		return nil, err
	}
	out := &swfapi.ListTagsForResourceOutput{Tags: []swfapi.ResourceTag{}}
	for _, t := range d.Tags {
		tag := swfapi.ResourceTag{Key: swfapi.Ptr(t.Key)}
		if t.Value != "" {
			tag.Value = swfapi.Ptr(t.Value)
		}
		out.Tags = append(out.Tags, tag)
	}
	return out, nil
}

// DomainTags returns a domain's tags by key, or none for a domain that does
// not exist: the values of the aws:ResourceTag/KEY condition keys of SWF's
// tag-based policies, which the authorizer asks for only when a caller's
// policy reads them.
func (s *Service) DomainTags(ctx context.Context, name string) (map[string]string, error) {
	d, err := s.store.GetDomain(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	tags := make(map[string]string, len(d.Tags))
	for _, t := range d.Tags {
		tags[t.Key] = t.Value
	}
	return tags, nil
}
