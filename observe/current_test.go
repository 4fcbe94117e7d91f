package observe_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

func TestCurrentAndUpdateCurrent(t *testing.T) {
	h := setup(t)
	assert.False(t, observe.Current(context.Background()).IsRecording())

	ctx, o := observe.Start(context.Background(), "cur")
	assert.Same(t, o, observe.Current(ctx))
	observe.UpdateCurrent(ctx, observe.WithMetadata(map[string]any{"step": 2}))
	o.End()
	assert.Equal(t, int64(2), h.find(t, "cur").Metadata["step"].AsInt64())
}

func TestCurrentOfForeignSpan(t *testing.T) {
	h := setup(t)
	ctx, foreign := h.tp.Tracer("http").Start(context.Background(), "GET /")
	cur := observe.Current(ctx)
	cur.Update(observe.WithMetadata(map[string]any{"route": "/"}))
	cur.End()
	assert.True(t, foreign.IsRecording(), "End on a view of a foreign span leaves it to its owner")
	_, child := observe.Start(ctx, "child")
	child.End()
	foreign.End()

	assert.Equal(t, "/", h.find(t, "GET /").Metadata["route"].AsString())
	assert.Equal(t, h.find(t, "GET /").ID, h.find(t, "child").ParentID)
	assert.NotContains(t, h.find(t, "GET /").Attributes, semconv.ObservationType)
}
