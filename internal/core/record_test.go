package core

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/semconv"
)

// TestCurrentIsTheRecordOfTheSpanInCtx checks that Current finds a record
// through its own key only while the record's span is the span of ctx.
func TestCurrentIsTheRecordOfTheSpanInCtx(t *testing.T) {
	st := pinClient(t, tracetest.NewInMemoryExporter())
	s := Resolve([]Option{{Field: FType, S1: semconv.TypeGeneration}})
	ctx, r := Start(context.Background(), st, "gen", &s)
	defer r.End(nil, Ending{})

	assert.Same(t, r, Current(ctx), "the record of ctx")
	assert.Same(t, r, Current(r.Context(context.Background())), "the record of Record.Context")
	assert.Equal(t, semconv.TypeGeneration, Current(ctx).Type())

	// A span of other instrumentation started under the record.
	fctx, foreign := r.Span().TracerProvider().Tracer("other").Start(ctx, "foreign")
	defer foreign.End()
	borrowed := Current(fctx)
	assert.NotSame(t, r, borrowed, "the record is not current under another span")
	assert.Equal(t, foreign.SpanContext().SpanID(), borrowed.Span().SpanContext().SpanID())
	assert.Equal(t, semconv.TypeSpan, borrowed.Type(), "another library's span is a span")
	assert.False(t, borrowed.Owned(), "a borrowed record is never ended through the public End")

	// A span that records nothing over the record: nothing is current.
	assert.Same(t, Noop, Current(trace.ContextWithSpan(ctx, trace.SpanFromContext(context.Background()))))
	assert.Same(t, Noop, Current(context.Background()))
	var noCtx context.Context // a nil ctx must not panic
	assert.Same(t, Noop, Current(noCtx))
}

// TestBeginAndEndShareAttributeSpace checks that a wrapped call that
// fills its record's attribute buffer at start and again at End
// exports both the input and the output intact (see
// TestOTelPinSetAttributesCopiesItsArgument).
func TestBeginAndEndShareAttributeSpace(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	st := pinClient(t, exp)
	sp := NewSpec("call", []Option{{Field: FType, S1: semconv.TypeTool}, {Field: FMetadata, A: map[string]any{"k": "v"}}})
	_, r := sp.Begin(context.Background(), st, "in", 2)
	r.End(nil, Ending{Returned: true, Output: "out"})

	spans := exp.GetSpans().Snapshots()
	require.Len(t, spans, 1)
	for key, want := range map[string]string{
		semconv.ObservationInput:                "[\"in\",2]",
		semconv.ObservationOutput:               "out",
		semconv.ObservationType:                 semconv.TypeTool,
		semconv.ObservationMetadataPrefix + "k": "v",
	} {
		v, ok := attrOf(spans[0], key)
		if assert.True(t, ok, key) {
			assert.Equal(t, want, v.AsString(), key)
		}
	}
}

// TestErrorStateIsTheRecords checks that level and status message given
// in separate updates make one OpenTelemetry status.
func TestErrorStateIsTheRecords(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	st := pinClient(t, exp)
	s := Resolve(nil)
	_, r := Start(context.Background(), st, "fails", &s)
	level := Resolve([]Option{{Field: FLevel, S1: semconv.LevelError}})
	msg := Resolve([]Option{{Field: FStatus, S1: "why"}})
	r.Update(&level)
	r.Update(&msg)
	r.End(nil, Ending{})

	spans := exp.GetSpans().Snapshots()
	require.Len(t, spans, 1)
	assert.Equal(t, codes.Error, spans[0].Status().Code)
	assert.Equal(t, "why", spans[0].Status().Description)
}

// TestErrorStateOfBorrowedRecords checks that updates through several
// records borrowed for one span (Current called once per update, as
// UpdateCurrent does inside a call that keeps no record) combine into one
// OpenTelemetry status, whichever part comes first.
func TestErrorStateOfBorrowedRecords(t *testing.T) {
	level := Resolve([]Option{{Field: FLevel, S1: semconv.LevelError}})
	msg := Resolve([]Option{{Field: FStatus, S1: "why"}})
	for name, order := range map[string][]*Settings{"level then message": {&level, &msg}, "message then level": {&msg, &level}} {
		t.Run(name, func(t *testing.T) {
			exp := tracetest.NewInMemoryExporter()
			st := pinClient(t, exp)
			ctx, span := st.Tracer.Start(WithClient(context.Background(), st), "foreign")
			for _, s := range order {
				r := Current(ctx)
				require.True(t, r.borrowed, "a record borrowed for the span")
				r.Update(s)
			}
			span.End()

			spans := exp.GetSpans().Snapshots()
			require.Len(t, spans, 1)
			assert.Equal(t, codes.Error, spans[0].Status().Code)
			assert.Equal(t, "why", spans[0].Status().Description)
		})
	}
}
