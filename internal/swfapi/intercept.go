package swfapi

import "context"

// Handler answers one operation, named op, whose input in (a *XInput of the
// model) has been decoded and validated. The output is nil for an operation
// without one.
type Handler func(ctx context.Context, op string, in any) (any, error)

// Interceptor runs around an operation: it sees the operation and its
// validated input, and either answers itself (a denial, a throttled call) or
// calls next, possibly with a richer context. Authorization, throttling and
// metrics are interceptors, so each of them is written once for all
// operations.
type Interceptor func(ctx context.Context, op string, in any, next Handler) (any, error)

// Chain returns the Handler that runs interceptors around api's operations,
// the first interceptor outermost.
func Chain(api API, interceptors ...Interceptor) Handler {
	h := Handler(func(ctx context.Context, op string, in any) (any, error) { return Call(ctx, api, op, in) })
	for i := len(interceptors) - 1; i >= 0; i-- {
		ic, next := interceptors[i], h
		h = func(ctx context.Context, op string, in any) (any, error) { return ic(ctx, op, in, next) }
	}
	return h
}

// validatable is every input shape of the model.
type validatable interface{ Validate() error }

// Invoke decodes the input of operation op with decode, validates it against
// the model and answers it with h. found is false when op is not an
// operation of the model.
func Invoke(ctx context.Context, h Handler, op string, decode func(any) error) (out any, found bool, err error) {
	in := NewInput(op)
	if in == nil {
		return nil, false, nil
	}
	if err := decode(in); err != nil {
		return nil, true, err
	}
	if err := in.(validatable).Validate(); err != nil {
		return nil, true, err
	}
	out, err = h(ctx, op, in)
	return out, true, err
}
