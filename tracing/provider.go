package tracing

import (
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/semconv"
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
// id, so that a trace is kept or dropped whole, across services too: a
// span follows its parent's decision, except the root of a trace whose id
// the program made (observe.WithTraceContext with no parent span, marked
// langfuse.internal.as_root at start), whose made-up parent decided
// nothing, so the rate applies to it as to any new trace.
func Sampler(cfg config.Config) sdktrace.Sampler {
	ratio := sdktrace.TraceIDRatioBased(cfg.SampleRate)
	return asRootSampler{ratio: ratio, parentBased: sdktrace.ParentBased(ratio)}
}

type asRootSampler struct {
	ratio, parentBased sdktrace.Sampler
}

func (s asRootSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	for _, kv := range p.Attributes {
		if kv.Key == semconv.AsRoot && kv.Value.AsBool() {
			return s.ratio.ShouldSample(p)
		}
	}
	return s.parentBased.ShouldSample(p)
}

func (s asRootSampler) Description() string {
	return "LangfuseSampler{" + s.parentBased.Description() + "}"
}

// Tracer returns the tracer observations are made with: scope
// "langfuse-sdk", which Langfuse recognises as its own.
func Tracer(tp trace.TracerProvider) trace.Tracer {
	return tp.Tracer(semconv.ScopeName, trace.WithInstrumentationVersion(semconv.SDKVersion))
}
