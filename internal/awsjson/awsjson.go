// Package awsjson speaks the AWS JSON 1.0 protocol that SWF clients use:
// POST / with X-Amz-Target naming the operation, a JSON body in and out, and
// errors as {"__type","message"} with the x-amzn-ErrorType header.
package awsjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/openswf/openswf/internal/swfapi"
)

// TargetPrefix is the service name in X-Amz-Target.
const TargetPrefix = "SimpleWorkflowService."

// ContentType is the media type of requests and responses.
const ContentType = "application/x-amz-json-1.0"

// DefaultMaxBodyBytes is SWF's documented limit on the size of one request.
const DefaultMaxBodyBytes = 1 << 20

// Handler serves the SWF API over AWS JSON 1.0.
type Handler struct {
	// Invoke answers an operation with its decoded, validated input: the
	// API behind its chain of interceptors (swfapi.Chain).
	Invoke swfapi.Handler
	Logger *slog.Logger
	// RequestID returns the id of the request, set by the server's
	// middleware; it is echoed in x-amzn-RequestId and in logs.
	RequestID func(*http.Request) string
}

// ServeHTTP decodes, dispatches and answers one request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := ""
	if h.RequestID != nil {
		reqID = h.RequestID(r)
	}
	// The server's middleware has usually set it already, with this id.
	if hdr := w.Header(); hdr[requestIDHeader] == nil {
		hdr[requestIDHeader] = []string{reqID}
	}
	op, out, err := h.serve(r)
	if err != nil {
		h.writeError(w, r, reqID, op, err)
		return
	}
	h.writeOutput(w, out)
}

func (h *Handler) serve(r *http.Request) (op string, out any, err error) {
	if r.Method != http.MethodPost {
		return "", nil, swfapi.NewFault(swfapi.CodeUnknownOperation, "Only POST requests are accepted")
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, TargetPrefix)
	if !ok || op == "" {
		return "", nil, swfapi.NewFault(swfapi.CodeUnknownOperation, "Unknown operation %q", target)
	}
	body, err := h.readBody(r)
	if err != nil {
		return op, nil, err
	}
	// The output is only encoded here, so the service may answer with
	// events in their stored, encoded form.
	ctx := swfapi.WithEncodedOutput(r.Context())
	out, found, err := swfapi.Invoke(ctx, h.Invoke, op, func(in any) error { return Decode(body, in) })
	if !found {
		return op, nil, swfapi.NewFault(swfapi.CodeUnknownOperation, "Unknown operation %q", target)
	}
	return op, out, err
}

// readBody reads the whole body. Its size is bounded before it gets here
// (server.LimitBody wraps it in an http.MaxBytesReader), so a body over the
// limit is a read error that says so.
func (h *Handler) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, TooLarge(-1, tooBig.Limit)
	}
	if err != nil {
		return nil, swfapi.NewFault(swfapi.CodeSerialization, "Could not read the request body")
	}
	return body, nil
}

// TooLarge is the fault for a body of size bytes (-1: not known) over limit.
func TooLarge(size, limit int64) error {
	if size < 0 {
		return swfapi.NewFault(swfapi.CodeValidation, "Request body exceeds the maximum request size of %d bytes", limit)
	}
	return swfapi.NewFault(swfapi.CodeValidation, "Request body of %d bytes exceeds the maximum request size of %d bytes", size, limit)
}

// Decode reads a request body into in. An empty body is an empty input, as
// some clients send nothing for an operation without members. Any body that
// is not a JSON object whose members have the model's JSON types is a
// SerializationException.
func Decode(body []byte, in any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return swfapi.NewFault(swfapi.CodeSerialization, "Request body must be a JSON object")
	}
	if err := swfapi.DecodeJSON(body, in); err != nil {
		return serializationError(err)
	}
	return nil
}

func serializationError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var shapeErr *swfapi.JSONTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &shapeErr):
		return typeFault(shapeErr.Value, shapeErr.Want, shapeErr.Field)
	case errors.As(err, &typeErr):
		return typeFault(typeErr.Value, javaKind(typeErr.Type), typeErr.Field)
	case errors.As(err, &syntaxErr):
		return swfapi.NewFault(swfapi.CodeSerialization, "Malformed JSON at offset %d", syntaxErr.Offset)
	default:
		return swfapi.NewFault(swfapi.CodeSerialization, "Could not parse the request body: %s", err.Error())
	}
}

// typeFault words a value of the wrong JSON kind as SWF's Java front end
// does: by the JSON token and the Java kind it wanted, never by the names
// of openswf's own types. The member's path is openswf's addition.
func typeFault(value, want, field string) error {
	if field == "" {
		field = "(root)"
	}
	switch value {
	case "object":
		if want != "Structure" {
			return swfapi.NewFault(swfapi.CodeSerialization, "Start of structure or map found where not expected at '%s'", field)
		}
	case "array":
		if want != "List" {
			return swfapi.NewFault(swfapi.CodeSerialization, "Start of list found where not expected at '%s'", field)
		}
	}
	return swfapi.NewFault(swfapi.CodeSerialization, "%s can not be converted to %s at '%s'", jsonKind(value), article(want), field)
}

// javaKind is what a Go type of encoding/json's errors is as
// swfapi.JSONTypeError's Want.
func javaKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "String"
	case reflect.Int32, reflect.Int:
		return "Integer"
	case reflect.Int64:
		return "Long"
	case reflect.Bool:
		return "Boolean"
	case reflect.Float32, reflect.Float64:
		return "Double"
	case reflect.Slice, reflect.Array:
		return "List"
	case reflect.Map:
		return "Map"
	}
	return "Structure"
}

func article(kind string) string {
	if kind == "" {
		kind = "Structure"
	}
	if strings.IndexByte("AEIOU", kind[0]) >= 0 {
		return "an " + kind
	}
	return "a " + kind
}

func jsonKind(v string) string {
	switch {
	case v == "string":
		return "STRING_VALUE"
	case v == "number", strings.HasPrefix(v, "number "):
		return "NUMBER_VALUE"
	case v == "bool":
		return "BOOLEAN_VALUE"
	case v == "object":
		return "START_OBJECT"
	case v == "array":
		return "START_ARRAY"
	}
	return strings.ToUpper(v)
}

// Header values every answer carries, shared rather than allocated per
// answer (net/http reads header values and never changes them); the keys
// are in canonical form, as Header.Set would make them.
var (
	requestIDHeader  = http.CanonicalHeaderKey("x-amzn-RequestId")
	contentType      = []string{ContentType}
	zeroLength       = []string{"0"}
	inlineBodyLength = 2048 // net/http's buffer: a body this small gets its Content-Length from net/http
)

// outputBuffers hold encoded answers between requests: w.Write copies
// them, so that one buffer serves request after request.
var outputBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledOutput keeps the rare huge answer from staying in the pool. A
// page of 1,000 history events of a few hundred bytes each is about half
// a megabyte; pages are what long histories are read in, and a buffer
// grown from nothing for each was an eighth of the server's CPU in
// reading one.
const maxPooledOutput = 2 << 20

func (h *Handler) writeOutput(w http.ResponseWriter, out any) {
	hdr := w.Header()
	hdr["Content-Type"] = contentType
	// An operation without an output answers with an empty body, as SWF does.
	if out == nil {
		hdr["Content-Length"] = zeroLength
		w.WriteHeader(http.StatusOK)
		return
	}
	bp := outputBuffers.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledOutput {
			outputBuffers.Put(bp)
		}
	}()
	b, ok := swfapi.AppendJSON((*bp)[:0], out)
	if !ok {
		var err error
		if b, err = json.Marshal(out); err != nil {
			// Only a bug can make an output unmarshalable.
			h.Logger.Error("encoding a response", "err", err)
			writeJSONError(w, swfapi.CodeInternalFailure, "An internal error occurred")
			return
		}
	} else {
		*bp = b
	}
	// A body that fits net/http's buffer is answered with its
	// Content-Length by net/http itself, when the handler returns; a
	// longer one is given its length here, so that it is not chunked.
	if len(b) >= inlineBodyLength {
		hdr["Content-Length"] = []string{strconv.Itoa(len(b))}
	}
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, reqID, op string, err error) {
	var fault *swfapi.Fault
	var verr *swfapi.ValidationError
	switch {
	case errors.As(err, &fault):
		writeJSONError(w, fault.Code, fault.Message)
	case errors.As(err, &verr):
		writeJSONError(w, swfapi.CodeValidation, verr.Error())
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		writeJSONError(w, swfapi.CodeInternalFailure, "Request canceled")
	default:
		h.Logger.Error("request failed", "request_id", reqID, "operation", op, "err", err)
		writeJSONError(w, swfapi.CodeInternalFailure, fmt.Sprintf("An internal error occurred (request id %s)", reqID))
	}
}

// WriteError answers with the error code and message in AWS JSON form. The
// server's middleware uses it for errors found before dispatch.
func WriteError(w http.ResponseWriter, code, message string) { writeJSONError(w, code, message) }

// WriteFault answers with a *swfapi.Fault in AWS JSON form; any other error
// is an internal failure that reveals nothing.
func WriteFault(w http.ResponseWriter, err error) {
	var fault *swfapi.Fault
	if errors.As(err, &fault) {
		writeJSONError(w, fault.Code, fault.Message)
		return
	}
	writeJSONError(w, swfapi.CodeInternalFailure, "An internal error occurred")
}

func writeJSONError(w http.ResponseWriter, code, message string) {
	k := kindOf(code)
	b, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{k.typeName, message})
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("x-amzn-ErrorType", k.typeName)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(k.status)
	w.Write(b)
}
