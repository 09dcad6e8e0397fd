package service

import (
	"github.com/openswf/openswf/internal/swfapi"
	"github.com/openswf/openswf/internal/tasktoken"
)

// taskToken reads a task token of the given kind. A token this service did
// not make (it does not decode, or its signature does not verify) is a
// malformed request, as a forged page token is; a genuine token of the
// other kind names no task of this one.
func (s *Service) taskToken(text string, kind byte) (tasktoken.Token, error) {
	tok, err := s.tokens.Decode(text)
	if err != nil {
		return tok, swfapi.NewFault(swfapi.CodeValidation, "Invalid token")
	}
	if tok.Kind != kind {
		return tok, swfapi.NewFault(swfapi.CodeUnknownResource, "Unknown task token")
	}
	return tok, nil
}

// TokenDomain returns the domain of the run a task token was handed out in,
// without loading anything: the token carries it, signed. ok is false for a
// token this service did not make (the operation itself then refuses it);
// domain is empty for a genuine token made before tokens carried their
// domain.
func (s *Service) TokenDomain(text string) (domain string, ok bool) {
	tok, err := s.tokens.Decode(text)
	if err != nil {
		return "", false
	}
	return tok.Domain, true
}
