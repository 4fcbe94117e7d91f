package tracing

import (
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/attrs"
)

// NewTracerProvider returns an SDK TracerProvider that samples whole
// traces at cfg.SampleRate (parent-based, by trace id), stamps Langfuse's
// trace-level attributes (NewSpanProcessor) and hands ended spans to
// export, usually an ExportProcessor. opts are applied last, so they can
// add processors or a resource.
func NewTracerProvider(cfg config.Config, export sdktrace.SpanProcessor, opts ...sdktrace.TracerProviderOption) *sdktrace.TracerProvider {
	base := []sdktrace.TracerProviderOption{
		sdktrace.WithSampler(Sampler(cfg)),
		sdktrace.WithSpanProcessor(NewSpanProcessor(cfg)),
		sdktrace.WithSpanProcessor(export),
	}
	return sdktrace.NewTracerProvider(append(base, opts...)...)
}

// Sampler keeps cfg.SampleRate of traces, decided once per trace from its
// id, so that a trace is kept or dropped whole, across services too.
func Sampler(cfg config.Config) sdktrace.Sampler {
	return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SampleRate))
}

// Tracer returns the tracer observations are made with: scope
// "langfuse-sdk", which Langfuse recognises as its own.
func Tracer(tp trace.TracerProvider) trace.Tracer {
	return tp.Tracer(attrs.ScopeName, trace.WithInstrumentationVersion(attrs.SDKVersion))
}
