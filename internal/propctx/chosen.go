package propctx

import "context"

// ChosenParent identifies, by its ids, a remote parent span context that
// was made up in this process from ids the program chose
// (observe.WithTraceContext, observe.TraceIDHeader), not received from
// another service. Such a parent decided nothing about sampling, so the
// sampler decides the span started under it as it decides a new trace,
// where it keeps the decision of a parent received from another service.
type ChosenParent struct {
	TraceID [16]byte
	SpanID  [8]byte
}

type chosenKey struct{}

// WithChosenParent returns a copy of ctx marking p as a parent whose ids
// the program chose. The mark concerns only a span whose parent in ctx
// has exactly p's ids, so spans started under that span, whose contexts
// inherit the mark, are not concerned.
func WithChosenParent(ctx context.Context, p ChosenParent) context.Context {
	return context.WithValue(ctx, chosenKey{}, p)
}

// IsChosenParent reports whether ctx marks the parent with ids traceID
// and spanID as one whose ids the program chose.
func IsChosenParent(ctx context.Context, traceID [16]byte, spanID [8]byte) bool {
	if ctx == nil {
		return false
	}
	p, ok := ctx.Value(chosenKey{}).(ChosenParent)
	return ok && p.TraceID == traceID && p.SpanID == spanID
}
