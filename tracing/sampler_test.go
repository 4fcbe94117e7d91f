package tracing_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/propctx"
	"github.com/observe-go/langfuse/tracing"
)

// The sampler applies the rate to a span whose remote parent is marked as
// made up from ids the program chose, and only to it: a remote parent
// with other ids, or no mark, keeps its sampled flag, and the rate's
// decision leaves the parent's trace state as it was.
func TestSamplerTellsChosenParentsFromReceivedOnes(t *testing.T) {
	tid := trace.TraceID{0x4b, 0xf9, 15: 1}
	sid := trace.SpanID{0x00, 0xf0, 7: 0xb7}
	other := trace.SpanID{7: 1}
	ts, err := trace.ParseTraceState("vendor=value")
	require.NoError(t, err)
	remote := func(flags trace.TraceFlags, span trace.SpanID) context.Context {
		return trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: tid, SpanID: span, TraceFlags: flags, TraceState: ts, Remote: true,
		}))
	}
	chosen := func(ctx context.Context, span trace.SpanID) context.Context {
		return propctx.WithChosenParent(ctx, propctx.ChosenParent{TraceID: tid, SpanID: span})
	}
	for _, tt := range []struct {
		name string
		rate float64
		ctx  context.Context
		want sdktrace.SamplingDecision
	}{
		{"chosen, sampled flag, rate 0", 0, chosen(remote(trace.FlagsSampled, sid), sid), sdktrace.Drop},
		{"chosen, no flag, rate 1", 1, chosen(remote(0, sid), sid), sdktrace.RecordAndSample},
		{"received sampled, rate 0", 0, remote(trace.FlagsSampled, sid), sdktrace.RecordAndSample},
		{"received not sampled, rate 1", 1, remote(0, sid), sdktrace.Drop},
		{"mark of other ids, rate 0", 0, chosen(remote(trace.FlagsSampled, sid), other), sdktrace.RecordAndSample},
		{"mark of other ids, rate 1", 1, chosen(remote(0, sid), other), sdktrace.Drop},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.SampleRate = tt.rate
			got := tracing.Sampler(cfg).ShouldSample(sdktrace.SamplingParameters{
				ParentContext: tt.ctx, TraceID: tid, Name: "span", Kind: trace.SpanKindInternal,
			})
			assert.Equal(t, tt.want, got.Decision)
			assert.Equal(t, "vendor=value", got.Tracestate.String(), "the parent's trace state goes on as it was")
		})
	}
}
