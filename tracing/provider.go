package tracing

import (
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/propctx"
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
// span follows its parent's decision, and a span whose parent came from
// another service (a W3C traceparent) keeps that service's sampled flag.
// A trace whose ids the program chose itself (observe.WithTraceContext,
// with or without a parent span id, or observe.TraceIDHeader) is decided
// by the rate, as any new trace: its remote parent was made up in this
// process and decided nothing.
//
// The two kinds of remote parent are told apart by a mark the observation
// engine puts in the context it starts such a span with, naming the
// parent's ids; the sampler reads it from SamplingParameters.ParentContext.
// The mark never leaves the process: it is not in the span's trace state
// or attributes, so it reaches neither the exported span nor the headers
// of an outgoing request, and a caller cannot send one.
func Sampler(cfg config.Config) sdktrace.Sampler {
	ratio := sdktrace.TraceIDRatioBased(cfg.SampleRate)
	return chosenIDsSampler{ratio: ratio, parentBased: sdktrace.ParentBased(ratio)}
}

type chosenIDsSampler struct {
	ratio, parentBased sdktrace.Sampler
}

func (s chosenIDsSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	if psc := trace.SpanContextFromContext(p.ParentContext); psc.IsRemote() &&
		propctx.IsChosenParent(p.ParentContext, psc.TraceID(), psc.SpanID()) {
		return s.ratio.ShouldSample(p)
	}
	return s.parentBased.ShouldSample(p)
}

func (s chosenIDsSampler) Description() string {
	return "LangfuseSampler{" + s.parentBased.Description() + "}"
}
