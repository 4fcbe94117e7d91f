package langfusetest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

func TestRecorderSeesObservationsAsLangfuseDoes(t *testing.T) {
	rec := langfusetest.NewRecorder()
	lf, err := langfuse.New(langfuse.WithSpanExporter(rec))
	require.NoError(t, err)

	ctx, root := observe.Start(context.Background(), "root", observe.AsType(observe.TypeAgent),
		observe.WithInput("q"), observe.WithMetadata(map[string]any{"k": "v", "n": 2}))
	_, child := observe.Start(ctx, "child")
	child.RecordError(errors.New("boom"))
	child.End()
	root.End(observe.WithOutput("a"))
	require.NoError(t, lf.Shutdown(context.Background()))

	obs := rec.Observations()
	require.Len(t, obs, 2, "kept after Shutdown")
	assert.Equal(t, "child", obs[0].Name, "in the order they ended")

	r, ok := rec.Find("root")
	require.True(t, ok)
	assert.Equal(t, "agent", r.Type)
	assert.Equal(t, "q", r.Input)
	assert.Equal(t, "a", r.Output)
	assert.Empty(t, r.ParentID)
	assert.Equal(t, "v", r.Metadata["k"].AsString())
	assert.Equal(t, int64(2), r.Metadata["n"].AsInt64())
	assert.Equal(t, "langfuse-sdk", r.Scope)
	assert.False(t, r.Failed())

	c, _ := rec.Find("child")
	assert.Equal(t, r.ID, c.ParentID)
	assert.Equal(t, r.TraceID, c.TraceID)
	assert.True(t, c.Failed())
	assert.Equal(t, "boom", c.StatusMessage)
	assert.Equal(t, "boom", c.Attr("langfuse.observation.status_message"))
	assert.Empty(t, c.Attr("no.such.key"))

	_, ok = rec.Find("missing")
	assert.False(t, ok)
	rec.Reset()
	assert.Empty(t, rec.Spans())
}
