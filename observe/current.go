package observe

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/internal/attrs"
	"github.com/observe-go/langfuse/internal/global"
)

// Current returns the observation current in ctx. It never returns nil:
// with no span in ctx it returns a no-op observation. Inside a call of a
// generic wrapper, and when the current span was started by other
// OpenTelemetry instrumentation, Current returns a view of that span:
// Update works on it, and End leaves ending it to whoever started it (the
// wrapper ends its own call).
func Current(ctx context.Context) *Observation {
	if ctx == nil {
		return noopObservation
	}
	span := trace.SpanFromContext(ctx)
	if ref, ok := span.(*spanRef); ok {
		return ref.o
	}
	if !span.IsRecording() {
		return noopObservation
	}
	o := &Observation{span: span, typ: spanType(span), foreign: true, captureIn: true, captureOut: true}
	o.ref = spanRef{Span: span, o: o}
	return o.attach()
}

// spanType reads the observation type a span was started with, for views
// of spans that wrappers started without an Observation; spans of other
// instrumentation are spans.
func spanType(span trace.Span) Type {
	ro, ok := span.(interface{ Attributes() []attribute.KeyValue })
	if !ok {
		return TypeSpan
	}
	for _, kv := range ro.Attributes() {
		if kv.Key == attrs.ObservationType {
			if t := Type(kv.Value.AsString()); t.Valid() {
				return t
			}
		}
	}
	return TypeSpan
}

// UpdateCurrent updates the observation current in ctx; see
// Observation.Update.
func UpdateCurrent(ctx context.Context, opts ...Option) {
	Current(ctx).Update(opts...)
}

// attach binds a view of a foreign span to the default client, or returns
// the no-op observation when there is none.
func (o *Observation) attach() *Observation {
	st := global.Load()
	if st == nil {
		return noopObservation
	}
	o.st = st
	return o
}
