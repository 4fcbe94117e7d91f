package observe_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/observe"
)

type ctxKey struct{}

func TestStartContextBehavesLikeItsParent(t *testing.T) {
	h := setup(t)
	parent, cancelParent := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
	deadline := time.Now().Add(time.Hour)
	parent, cancelDeadline := context.WithDeadline(parent, deadline)
	defer cancelDeadline()

	ctx, o := observe.Start(parent, "o")
	assert.Equal(t, "v", ctx.Value(ctxKey{}), "values of the parent are visible")
	d, ok := ctx.Deadline()
	assert.True(t, ok)
	assert.Equal(t, deadline, d)
	assert.Equal(t, o.ID(), trace.SpanFromContext(ctx).SpanContext().SpanID().String())
	assert.Same(t, o, observe.Current(ctx))

	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()
	cancelParent()
	select {
	case <-child.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling the parent did not reach a context derived from the observation's")
	}
	require.ErrorIs(t, ctx.Err(), context.Canceled)
	o.End()
	_, c := observe.Start(ctx, "child")
	c.End()
	assert.Equal(t, h.find(t, "o").ID, h.find(t, "child").ParentID)
}
