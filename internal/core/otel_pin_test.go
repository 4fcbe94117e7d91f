package core

// The tests in this file pin behaviour of OpenTelemetry that the engine
// relies on without a documented promise to point at. Each failure
// message says what changed and what in the engine depends on it, so that
// an OpenTelemetry upgrade that breaks one fails here first, loudly.

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/goleak"

	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/semconv"
)

// pinClient returns a client state whose tracer is a real SDK provider
// that exports synchronously to exp, with procs before the export.
func pinClient(t *testing.T, exp sdktrace.SpanExporter, procs ...sdktrace.SpanProcessor) *global.State {
	t.Helper()
	opts := make([]sdktrace.TracerProviderOption, 0, len(procs)+1)
	for _, p := range procs {
		opts = append(opts, sdktrace.WithSpanProcessor(p))
	}
	tp := sdktrace.NewTracerProvider(append(opts, sdktrace.WithSyncer(exp))...)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return &global.State{
		Tracer:    tp.Tracer(semconv.ScopeName),
		CaptureIO: true,
		MaxBytes:  4096,
		Logger:    slog.New(slog.DiscardHandler),
	}
}

// attrOf returns the value of key on s, and whether s has it.
func attrOf(s sdktrace.ReadOnlySpan, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// TestOTelPinSetAttributesCopiesItsArgument pins that the SDK's
// Span.SetAttributes copies what it is given: the engine passes a buffer
// of the Record to SetAttributes at start and fills the same buffer again
// at End (record.go, Record.buf).
func TestOTelPinSetAttributesCopiesItsArgument(t *testing.T) {
	const changed = "the OpenTelemetry SDK no longer copies the attributes given to Span.SetAttributes: " +
		"Record.buf (internal/core/record.go) is reused after SetAttributes at start and in End, " +
		"which would now corrupt exported spans; give each SetAttributes call its own slice"
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	_, span := tp.Tracer("pin").Start(context.Background(), "span")
	kvs := []attribute.KeyValue{attribute.String("mutated", "before")}
	span.SetAttributes(kvs...)
	kvs[0] = attribute.String("mutated", "after")
	// The engine's pattern: one buffer, filled again from the start for a
	// second call.
	var buf [2]attribute.KeyValue
	span.SetAttributes(append(buf[:0], attribute.String("first", "1"))...)
	span.SetAttributes(append(buf[:0], attribute.String("second", "2"))...)
	buf[0] = attribute.String("second", "mutated")
	span.End()

	spans := exp.GetSpans().Snapshots()
	require.Len(t, spans, 1)
	for key, want := range map[string]string{"mutated": "before", "first": "1", "second": "2"} {
		v, ok := attrOf(spans[0], key)
		assert.True(t, ok, "%s: attribute %q lost", changed, key)
		assert.Equal(t, want, v.AsString(), "%s: attribute %q", changed, key)
	}
}

// parentProbe is a span processor that keeps, for each span started, the
// span that trace.SpanFromContext finds in the context it started in: what
// a processor such as tracing.ExportProcessor sees as the parent.
type parentProbe struct {
	mu      sync.Mutex
	parents map[string]trace.Span
}

func (p *parentProbe) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.parents == nil {
		p.parents = make(map[string]trace.Span)
	}
	p.parents[s.Name()] = trace.SpanFromContext(ctx)
}

func (p *parentProbe) parent(name string) trace.Span {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.parents[name]
}

func (*parentProbe) OnEnd(sdktrace.ReadOnlySpan)      {}
func (*parentProbe) Shutdown(context.Context) error   { return nil }
func (*parentProbe) ForceFlush(context.Context) error { return nil }

// TestOTelPinSpanFromRecordContextIsSDKSpan pins that the span stored in
// a record's context is the SDK's own span, a sdktrace.ReadOnlySpan, so
// that span processors which inspect the parent of a new span (the export
// processor marks application roots that way) see it.
func TestOTelPinSpanFromRecordContextIsSDKSpan(t *testing.T) {
	const changed = "trace.SpanFromContext on a record's context is not the SDK span (sdktrace.ReadOnlySpan): " +
		"span processors that inspect the parent, such as tracing.ExportProcessor.OnStart, no longer see it; " +
		"the record context (internal/core/record.go, Record.Value) must keep the span trace.Tracer.Start put in ctx"
	probe := &parentProbe{}
	st := pinClient(t, tracetest.NewInMemoryExporter(), probe)
	s := Resolve(nil)

	ctx, r := Start(context.Background(), st, "parent", &s)
	ro, ok := trace.SpanFromContext(ctx).(sdktrace.ReadOnlySpan)
	require.True(t, ok, "%s: found %T", changed, trace.SpanFromContext(ctx))
	assert.Equal(t, r.Span().SpanContext(), ro.SpanContext(), changed)

	// A child of the record, by the engine and by another tracer of the
	// same provider: the processor sees the record's span as the parent.
	_, child := Start(ctx, st, "record-child", &s)
	child.End(nil, Ending{})
	_, other := r.Span().TracerProvider().Tracer("other").Start(ctx, "other-child")
	other.End()
	// The context of Record.Context, as Observation.Context returns it.
	_, again := Start(r.Context(context.Background()), st, "context-child", &s)
	again.End(nil, Ending{})
	for _, name := range []string{"record-child", "other-child", "context-child"} {
		p, ok := probe.parent(name).(sdktrace.ReadOnlySpan)
		if assert.True(t, ok, "%s: %s: the processor found %T", changed, name, probe.parent(name)) {
			assert.Equal(t, r.Span().SpanContext().SpanID(), p.SpanContext().SpanID(), "%s: %s", changed, name)
		}
	}
	r.End(nil, Ending{})
}

// TestOTelPinWithCancelOnRecordContext pins that context.WithCancel on a
// record's context joins its parent's cancellation directly: it cancels
// with the parent, at once, and starts no goroutine. The record context
// holds its parent and answers every key but its own from it, which is
// how package context finds the parent's cancelCtx.
func TestOTelPinWithCancelOnRecordContext(t *testing.T) {
	const changed = "context.WithCancel on a record's context (internal/core/record.go, Record.Value; context.go, recordCtx) "
	ignore := goleak.IgnoreCurrent()
	st := pinClient(t, tracetest.NewInMemoryExporter())
	s := Resolve(nil)

	base, cancel := context.WithCancel(context.Background())
	ctx, r := Start(base, st, "parent", &s)
	derived := []context.Context{ctx}
	for range 50 {
		c, stop := context.WithCancel(ctx)
		t.Cleanup(stop)
		derived = append(derived, c)
	}
	// A record under a derived context, and a Record.Context copy.
	ctx2, r2 := Start(derived[1], st, "child", &s)
	grand, stop := context.WithCancel(ctx2)
	t.Cleanup(stop)
	viaContext, stop := context.WithCancel(r.Context(derived[2]))
	t.Cleanup(stop)
	derived = append(derived, ctx2, grand, viaContext)

	require.NoError(t, goleak.Find(ignore), changed+"started a goroutine to watch its parent: it no longer finds the parent's cancelCtx")

	cancel()
	for i, c := range derived {
		select {
		case <-c.Done():
			assert.ErrorIs(t, c.Err(), context.Canceled, "context %d", i)
		default:
			t.Errorf("%sdid not cancel with its parent at once (context %d): cancellation now goes through a goroutine or is lost", changed, i)
		}
	}
	r2.End(nil, Ending{})
	r.End(nil, Ending{})
}
