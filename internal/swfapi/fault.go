package swfapi

import "fmt"

// Fault is an error the service answers with: Code is a fault of the model
// (such as UnknownResourceFault) or one of the protocol's own errors, and
// Message is worded as SWF words it.
type Fault struct {
	Code    string
	Message string
}

func (f *Fault) Error() string { return f.Code + ": " + f.Message }

// NewFault returns a fault with a formatted message.
func NewFault(code, format string, args ...any) *Fault {
	return &Fault{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Protocol-level errors that are not faults of the model.
const (
	CodeValidation       = "ValidationException"
	CodeSerialization    = "SerializationException"
	CodeUnknownOperation = "UnknownOperationException"
	CodeInternalFailure  = "InternalFailure"
	CodeNotImplemented   = "NotImplemented"
	CodeAccessDenied     = "AccessDeniedException"
	CodeThrottling       = "ThrottlingException"
	CodeMissingAuth      = "MissingAuthenticationTokenException"
	CodeInvalidSignature = "InvalidSignatureException"
	CodeRequestTooLarge  = "RequestEntityTooLarge"
)

// Ptr returns a pointer to v: output shapes mark members present by pointer.
func Ptr[T any](v T) *T { return &v }

func notImplemented(op string) error {
	return NewFault(CodeNotImplemented, "%s is not available in this version of openswf yet", op)
}
