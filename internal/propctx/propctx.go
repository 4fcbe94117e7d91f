// Package propctx carries propagated trace attributes in a context, from
// observe.PropagateAttributes, which writes them, to the span processor,
// which stamps them on every span started under that context; and the
// mark of a remote parent made up from ids the program chose, from the
// observation engine, which makes it, to the sampler.
package propctx

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
)

// Set is one immutable, already merged set of propagated attributes.
type Set struct {
	UserID, SessionID, Version, TraceName string
	Tags                                  []string
	Metadata                              map[string]string
	AsBaggage, Public                     bool

	// KeyValues is the set rendered as span attributes, computed once
	// when the set is made so that starting a span only copies it.
	KeyValues []attribute.KeyValue
}

type key struct{}

// FromContext returns the set in ctx, or nil.
func FromContext(ctx context.Context) *Set {
	if ctx == nil {
		return nil
	}
	s, _ := ctx.Value(key{}).(*Set)
	return s
}

// With returns a copy of ctx carrying s.
func With(ctx context.Context, s *Set) context.Context {
	return context.WithValue(ctx, key{}, s)
}
