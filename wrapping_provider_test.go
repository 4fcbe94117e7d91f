package langfuse_test

import (
	"bytes"
	"context"
	"iter"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
	"github.com/observe-go/langfuse/tracing"
)

// engWrapProvider is a TracerProvider whose spans wrap the SDK's, as some
// vendors' and test doubles' providers do: Start returns a span of its own
// type and puts that span, not the SDK's, in the context.
type engWrapProvider struct {
	embedded.TracerProvider
	sdk *sdktrace.TracerProvider
}

func (p *engWrapProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return &engWrapTracer{sdk: p.sdk.Tracer(name, opts...), tp: p}
}

type engWrapTracer struct {
	embedded.Tracer
	sdk trace.Tracer
	tp  *engWrapProvider
}

func (t *engWrapTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	ctx, s := t.sdk.Start(ctx, name, opts...)
	w := &engWrapSpan{sdk: s, tp: t.tp}
	return trace.ContextWithSpan(ctx, w), w
}

// engWrapSpan delegates everything to the SDK span and has no method
// beyond trace.Span's, so nothing can be read back from it.
type engWrapSpan struct {
	embedded.Span
	sdk trace.Span
	tp  *engWrapProvider
}

func (s *engWrapSpan) End(opts ...trace.SpanEndOption) {
	s.sdk.End(opts...)
}

func (s *engWrapSpan) AddEvent(name string, opts ...trace.EventOption) {
	s.sdk.AddEvent(name, opts...)
}

func (s *engWrapSpan) AddLink(l trace.Link) {
	s.sdk.AddLink(l)
}

func (s *engWrapSpan) IsRecording() bool {
	return s.sdk.IsRecording()
}

func (s *engWrapSpan) RecordError(err error, opts ...trace.EventOption) {
	s.sdk.RecordError(err, opts...)
}

func (s *engWrapSpan) SpanContext() trace.SpanContext {
	return s.sdk.SpanContext()
}

func (s *engWrapSpan) SetStatus(code codes.Code, description string) {
	s.sdk.SetStatus(code, description)
}

func (s *engWrapSpan) SetName(name string) {
	s.sdk.SetName(name)
}

func (s *engWrapSpan) SetAttributes(kv ...attribute.KeyValue) {
	s.sdk.SetAttributes(kv...)
}

func (s *engWrapSpan) TracerProvider() trace.TracerProvider {
	return s.tp
}

// TestWrappingTracerProviderKeepsObservationType checks that with a
// program's provider whose spans wrap the SDK's, observe.Current inside an
// observation is that observation, with its type: a model set through it
// on a generation is recorded, with no warning that the type is span, and
// children nest under it.
func TestWrappingTracerProviderKeepsObservationType(t *testing.T) {
	cfg := config.Default()
	rec := langfusetest.NewRecorder()
	sdk := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(tracing.NewSpanProcessor(cfg)),
		sdktrace.WithSyncer(rec))
	t.Cleanup(func() { _ = sdk.Shutdown(context.Background()) })
	var logs bytes.Buffer
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithTracerProvider(&engWrapProvider{sdk: sdk}),
		langfuse.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })

	gen := observe.AsType(observe.TypeGeneration)
	shapes := []engShape{
		{"Observe1", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			_, _ = langfuse.Observe1(name, func(ctx context.Context, q string) (string, error) { body(ctx); return q, nil }, gen)(ctx, "q")
		}},
		{"ObserveCtx", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			_, _ = langfuse.ObserveCtx(name, func(ctx context.Context) (string, error) { body(ctx); return "a", nil }, gen)(ctx)
		}},
		{"ObserveSeq", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			seq := langfuse.ObserveSeq(name, func(ctx context.Context, q string) iter.Seq2[string, error] {
				return func(yield func(string, error) bool) { body(ctx); yield(q, nil) }
			}, gen)
			for _, err := range seq(ctx, "q") {
				require.NoError(t, err)
			}
		}},
		{"Run", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			_, _ = langfuse.Run(ctx, name, func(ctx context.Context) (string, error) { body(ctx); return "a", nil }, gen)
		}},
		{"observe.Start", func(t *testing.T, ctx context.Context, name string, body func(context.Context)) {
			ctx, o := observe.Start(ctx, name, gen)
			defer o.End()
			body(ctx)
		}},
	}
	child := langfuse.ObserveCtx("child", func(context.Context) (int, error) { return 1, nil })
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			rec.Reset()
			name := "llm-" + sh.name
			var typ observe.Type
			var id string
			sh.run(t, context.Background(), name, func(ctx context.Context) {
				o := observe.Current(ctx)
				typ, id = o.Type(), o.ID()
				o.Update(observe.WithModel("m"))
				_, _ = child(ctx)
			})
			o := find(t, rec, name)
			assert.Equal(t, observe.TypeGeneration, typ, "observe.Current sees the type")
			assert.Equal(t, o.ID, id, "observe.Current is the observation itself")
			assert.Equal(t, "generation", o.Type)
			assert.Equal(t, "m", o.Attr(semconv.ObservationModel), "the model is recorded")
			spans := rec.Observations()
			require.Len(t, spans, 2)
			assert.Equal(t, o.ID, spans[0].ParentID, "a child nests under the observation")
			assert.Equal(t, o.TraceID, spans[0].TraceID)
		})
	}
	assert.NotContains(t, logs.String(), "observations only", "no warning that the type is span")
	assert.NotContains(t, logs.String(), "type=span")
}
