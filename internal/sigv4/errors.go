package sigv4

import (
	"strconv"
	"time"
)

// The codes Verify answers with. They are the __type names AWS's JSON
// services (Coral, as SWF and DynamoDB are) give authentication failures,
// without the "com.amazon.coral.service#" namespace, which the server adds.
const (
	// CodeMissingAuthenticationToken: the request carries no SigV4
	// authentication at all.
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	// CodeIncompleteSignature: the authentication is there but malformed.
	CodeIncompleteSignature = "IncompleteSignatureException"
	// CodeInvalidSignature: well formed, but out of date, scoped elsewhere,
	// or not the signature the secret gives.
	CodeInvalidSignature = "InvalidSignatureException"
	// CodeUnrecognizedClient: the access key id is unknown, or the session
	// token is missing, unexpected or wrong.
	CodeUnrecognizedClient = "UnrecognizedClientException"
	// CodeExpiredToken: the credential is past its Expires.
	CodeExpiredToken = "ExpiredTokenException"
)

// Error is a verification failure. Code is the AWS error code (the __type
// name without namespace) and Message AWS's wording for it. Messages never
// hold the signature the server computed, the canonical request or any
// secret: only what the client sent and the server's clock.
type Error struct {
	Code    string
	Message string
}

// Error returns "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// AWS's messages. Where AWS builds a message from parts, the parts are
// here and the builders below. Evidence for each wording is in the package
// documentation.
const (
	msgMissingToken      = "Request is missing Authentication Token"
	msgInvalidToken      = "The security token included in the request is invalid."
	msgExpiredToken      = "The security token included in the request is expired"
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgHostNotSigned = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgBothAuth      = "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
)

func incomplete(msg string) *Error { return &Error{CodeIncompleteSignature, msg} }

func invalidSignature(msg string) *Error { return &Error{CodeInvalidSignature, msg} }

// badDate is AWS's answer to a date that is not ISO 8601 basic format.
func badDate(got string) *Error {
	return incomplete("Date must be in ISO-8601 'basic format'. Got '" + got +
		"'. See http://en.wikipedia.org/wiki/ISO_8601")
}

// expired and notYetCurrent are AWS's answers to a request signed too long
// before or after the server's now; window is the tolerance (15 minutes,
// or a presigned request's X-Amz-Expires).
func expired(signed, now time.Time, window time.Duration) *Error {
	return invalidSignature("Signature expired: " + amzTime(signed) + " is now earlier than " +
		amzTime(now.Add(-window)) + " (" + amzTime(now) + " - " + windowText(window) + ".)")
}

func notYetCurrent(signed, now time.Time) *Error {
	return invalidSignature("Signature not yet current: " + amzTime(signed) + " is still later than " +
		amzTime(now.Add(maxSkew)) + " (" + amzTime(now) + " + " + windowText(maxSkew) + ".)")
}

// windowText writes a window as AWS does: "15 min", or seconds when the
// window is not whole minutes.
func windowText(d time.Duration) string {
	s := int64(d / time.Second)
	if s%60 == 0 {
		return strconv.FormatInt(s/60, 10) + " min"
	}
	return strconv.FormatInt(s, 10) + " sec"
}

// amzTime formats t as SigV4's timestamp, ISO 8601 basic format in UTC.
func amzTime(t time.Time) string { return t.UTC().Format(amzDateLayout) }
