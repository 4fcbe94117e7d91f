package langfuse_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// TestSampleRateAppliesToTracesTheProgramMadeUp checks that
// LANGFUSE_SAMPLE_RATE decides a trace whose ids the program chose with
// observe.WithTraceContext, with or without a parent span id, as it
// decides any new trace: by trace id. A parent span id the program passes
// is no decision of another service; before, such a trace was always
// kept. A W3C traceparent received from another service keeps its
// sampled flag whatever the rate.
func TestSampleRateAppliesToTracesTheProgramMadeUp(t *testing.T) {
	const (
		parentSpanID = "00f067aa0ba902b7"
		// The rate keeps a trace when the low 63 bits of its id's last
		// 8 bytes fall below rate * 2^63: low is kept at 0.5, high is not.
		low  = "4bf92f3577b34da60000000000000001"
		high = "4bf92f3577b34da6fffffffffffffffe"
	)
	chosen := func(traceID, parent string) func() (context.Context, []observe.Option) {
		return func() (context.Context, []observe.Option) {
			return context.Background(), []observe.Option{observe.WithTraceContext(traceID, parent)}
		}
	}
	received := func(traceID, flags string) func() (context.Context, []observe.Option) {
		return func() (context.Context, []observe.Option) {
			h := http.Header{}
			h.Set("traceparent", "00-"+traceID+"-"+parentSpanID+"-"+flags)
			return propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier(h)), nil
		}
	}
	for _, tt := range []struct {
		name    string
		rate    float64
		traceID string
		start   func() (context.Context, []observe.Option)
		want    bool
	}{
		{"chosen id, no parent, rate 0", 0, low, chosen(low, ""), false},
		{"chosen id, no parent, rate 1", 1, high, chosen(high, ""), true},
		{"chosen id and parent, rate 0", 0, low, chosen(low, parentSpanID), false},
		{"chosen id and parent, rate 1", 1, high, chosen(high, parentSpanID), true},
		{"chosen id, no parent, rate 0.5, low id", 0.5, low, chosen(low, ""), true},
		{"chosen id, no parent, rate 0.5, high id", 0.5, high, chosen(high, ""), false},
		{"chosen id and parent, rate 0.5, low id", 0.5, low, chosen(low, parentSpanID), true},
		{"chosen id and parent, rate 0.5, high id", 0.5, high, chosen(high, parentSpanID), false},
		{"received sampled, rate 0", 0, low, received(low, "01"), true},
		{"received sampled, rate 0.5, high id", 0.5, high, received(high, "01"), true},
		{"received not sampled, rate 1", 1, low, received(low, "00"), false},
		{"received not sampled, rate 0.5, low id", 0.5, low, received(low, "00"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, rec := newClient(t, func(c *config.Config) { c.SampleRate = tt.rate })
			ctx, opts := tt.start()
			ctx, root := observe.Start(ctx, "root", opts...)
			_, child := observe.Start(ctx, "child")
			child.End()
			root.End()
			if !tt.want {
				assert.Empty(t, rec.Spans(), "the whole trace is dropped")
				return
			}
			assert.Len(t, rec.Spans(), 2, "the whole trace is kept")
			got := find(t, rec, "root")
			assert.Equal(t, tt.traceID, got.TraceID)
			assert.Empty(t, got.Span.SpanContext().TraceState().String(), "no mark of ours on the span")
			_, asRoot := got.Attributes[semconv.AsRoot]
			assert.Equal(t, strings.Contains(tt.name, "no parent"), asRoot, "as_root only without a parent")
		})
	}
}

// TestSampleRateMarkDoesNotTravel checks that a trace the program chose
// the ids of, once kept, goes on to other services as an ordinary sampled
// trace: nothing in the outgoing headers asks them to decide again.
func TestSampleRateMarkDoesNotTravel(t *testing.T) {
	_, rec := newClient(t, func(c *config.Config) { c.SampleRate = 1 })
	ctx, root := observe.Start(context.Background(), "root",
		observe.WithTraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"))
	h := http.Header{}
	langfuse.InjectHTTP(ctx, h)
	root.End()
	require.Len(t, rec.Spans(), 1)
	assert.Equal(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-"+root.ID()+"-01", h.Get("traceparent"))
	assert.Empty(t, h.Get("tracestate"))
}

// TestMessagesAreCutAtTheCaptureLimit checks that status, error and panic
// messages are bounded like inputs, mask or not.
func TestMessagesAreCutAtTheCaptureLimit(t *testing.T) {
	_, rec := newClient(t, func(c *config.Config) { c.CaptureMaxBytes = 1024 })
	huge := strings.Repeat("e", 2<<20)
	failing := langfuse.ObserveErr("fails", func(context.Context) error { return errors.New(huge) })
	assert.Error(t, failing(context.Background()))
	_, o := observe.Start(context.Background(), "status")
	o.End(observe.WithStatusMessage(huge + "\xff"))
	func() {
		defer func() { _ = recover() }()
		_, _ = langfuse.ObserveCtx("panics", func(context.Context) (int, error) { panic(huge) })(context.Background())
	}()

	for _, name := range []string{"fails", "status", "panics"} {
		got := find(t, rec, name)
		assert.LessOrEqual(t, len(got.StatusMessage), 1024+64, name)
		assert.Contains(t, got.StatusMessage, "truncated", "%s: the cut is visible", name)
		assert.True(t, utf8.ValidString(got.StatusMessage), name)
		if got.Status.Description != "" {
			assert.LessOrEqual(t, len(got.Status.Description), 1024+64, name)
		}
		for _, ev := range got.Events {
			for _, kv := range ev.Attributes {
				if kv.Key == "exception.message" {
					assert.LessOrEqual(t, len(kv.Value.String()), 1024+64, "%s: event %s", name, kv.Key)
				}
			}
		}
	}
}
