package service

import (
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/tasktoken"
)

// taskToken reads a task token of the given kind.
func (s *Service) taskToken(text string, kind byte) (tasktoken.Token, error) {
	tok, err := s.tokens.Decode(text)
	if err != nil || tok.Kind != kind {
		return tok, swfapi.NewFault(swfapi.CodeUnknownResource, "Unknown task token")
	}
	return tok, nil
}

// TokenDomain returns the domain of the run a task token was handed out in,
// without loading anything: the token carries it, signed. ok is false for a
// token this service did not make (the operation itself then refuses it), or
// one made before tokens carried their domain.
func (s *Service) TokenDomain(text string) (domain string, ok bool) {
	tok, err := s.tokens.Decode(text)
	if err != nil || tok.Domain == "" {
		return "", false
	}
	return tok.Domain, true
}
