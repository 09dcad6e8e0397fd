package awsjson

import (
	"net/http"
	"slices"

	"github.com/openswf/openswf/internal/swfapi"
)

// Namespaces of the __type member: SWF's own faults live in SWF's model
// package; the front end's validation and protocol errors in Coral's. SDKs
// read the part after '#', but some clients print the whole string, so it is
// kept as AWS sends it.
const (
	nsModel    = "com.amazonaws.swf.base.model#"
	nsValidate = "com.amazon.coral.validate#"
	nsService  = "com.amazon.coral.service#"
	// Throttling is Coral's availability concern, and AWS names it so.
	nsAvailability = "com.amazon.coral.availability#"
)

// errorKind is the one table from an error code to its wire form.
type errorKind struct {
	typeName string
	status   int
}

func kindOf(code string) errorKind {
	switch {
	case slices.Contains(swfapi.ModeledFaults(), code):
		return errorKind{nsModel + code, http.StatusBadRequest}
	case code == swfapi.CodeValidation:
		return errorKind{nsValidate + code, http.StatusBadRequest}
	case code == swfapi.CodeInternalFailure:
		return errorKind{nsService + code, http.StatusInternalServerError}
	case code == swfapi.CodeThrottling:
		return errorKind{nsAvailability + code, http.StatusBadRequest}
	default:
		// The authentication errors (MissingAuthenticationToken,
		// IncompleteSignature, UnrecognizedClient, InvalidSignature,
		// ExpiredToken…) are Coral's own, answered with 400 as AWS's
		// JSON services answer them.
		return errorKind{nsService + code, http.StatusBadRequest}
	}
}
