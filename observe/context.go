package observe

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel/trace"
)

// spanCtx is the context Start returns: its parent plus the observation as
// the current span. It lives inside the Observation, so that starting an
// observation allocates no context of its own; it answers the key
// trace.ContextWithSpan would have stored, and asks its parent for every
// other key, cancellation included.
type spanCtx struct {
	context.Context
	ref *spanRef
}

func (c *spanCtx) Value(key any) any {
	if key == spanKey() {
		return c.ref
	}
	return c.Context.Value(key)
}

// spanKey is the key under which trace.ContextWithSpan stores the current
// span, learned once by watching which key trace.SpanFromContext asks for.
var spanKey = sync.OnceValue(func() any {
	p := &keyProbe{Context: context.Background()}
	trace.SpanFromContext(p)
	if p.key == nil || p.calls != 1 {
		return noKey{} // unexpected lookup: contextWith falls back
	}
	return p.key
})

type noKey struct{}

type keyProbe struct {
	context.Context
	key   any
	calls int
}

func (p *keyProbe) Value(key any) any {
	p.key = key
	p.calls++
	return nil
}

// contextWith returns ctx with o current, using the context inside o when
// the span key is known.
func (o *Observation) contextWith(ctx context.Context) context.Context {
	if _, unknown := spanKey().(noKey); unknown {
		return trace.ContextWithSpan(ctx, &o.ref)
	}
	o.ctx = spanCtx{Context: ctx, ref: &o.ref}
	return &o.ctx
}
