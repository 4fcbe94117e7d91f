package core

import (
	"context"

	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/internal/global"
)

// recordKey and clientKey are the context keys of this package: the
// current Record, and the client observations started under a context use.
type (
	recordKey struct{}
	clientKey struct{}
)

// recordCtx is the context in which a Record is current, other than the
// one it started in (the Record itself, see Record.Value): its parent,
// which holds the record's span, plus the record. It answers the client
// key too, so that children use their parent's client.
type recordCtx struct {
	context.Context
	r *Record
}

func (c *recordCtx) Value(key any) any {
	switch key.(type) {
	case recordKey:
		return c.r
	case clientKey:
		return c.r.client
	}
	return c.Context.Value(key)
}

// WithClient returns a copy of ctx whose observations use st instead of
// the default client; a nil st records nothing.
func WithClient(ctx context.Context, st *global.State) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	global.NoteSecondClient()
	return context.WithValue(ctx, clientKey{}, st)
}

// ClientFrom returns the client observations started under ctx use: the
// one bound to ctx (by WithClient or by the observation current in ctx),
// else the default client. It returns nil when that client records
// nothing: tracing disabled, shut down, or none set up.
func ClientFrom(ctx context.Context) *global.State {
	// Until a second client shows up, every context resolves to the
	// default client, and the lookup can be skipped.
	if ctx != nil && global.SecondClient() {
		if v := ctx.Value(clientKey{}); v != nil {
			st, _ := v.(*global.State)
			if !st.Live() {
				return nil
			}
			return st
		}
	}
	if st := global.Load(); st.Live() {
		return st
	}
	return nil
}

// Current returns the record current in ctx: the record whose span is the
// span of ctx. When the span of ctx was started by other instrumentation
// it returns a borrowed record for it, which updates that span and never
// ends it; when there is no recording span, the no-op record.
func Current(ctx context.Context) *Record {
	if ctx == nil {
		return Noop
	}
	span := trace.SpanFromContext(ctx)
	sc := span.SpanContext()
	if r, _ := ctx.Value(recordKey{}).(*Record); r != nil {
		// The record is current only while its span is the span of ctx:
		// a span started under it by other instrumentation comes after.
		if rsc := r.span.SpanContext(); rsc.SpanID() == sc.SpanID() && rsc.TraceID() == sc.TraceID() {
			return r
		}
	}
	if !span.IsRecording() {
		return Noop
	}
	st := ClientFrom(ctx)
	if st == nil {
		return Noop
	}
	return &Record{parent: ctx, span: span, client: st, typ: tSpan, managed: true, borrowed: true, in: keepGiven, out: keepGiven}
}

// Context returns a copy of ctx in which r is current.
func (r *Record) Context(ctx context.Context) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	if !r.Live() {
		return ctx
	}
	return &recordCtx{Context: trace.ContextWithSpan(ctx, r.span), r: r}
}
