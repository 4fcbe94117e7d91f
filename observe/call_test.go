package observe_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/internal/attrs"
	"github.com/observe-go/langfuse/observe"
)

func TestWrapperBeginFinish(t *testing.T) {
	h := setup(t)
	w := observe.NewWrapper("llm", observe.AsType(observe.TypeGeneration), observe.WithModel("m"),
		observe.ArgNames("prompt", "n"))

	ctx, c := w.Begin(context.Background(), "hi", 2)
	cur := observe.Current(ctx)
	assert.Equal(t, observe.TypeGeneration, cur.Type(), "a view of the call knows its type")
	cur.Update(observe.WithUsage(map[string]int{"input": 1}))
	cur.End()
	assert.True(t, cur.IsRecording(), "the wrapper ends the call, not a view of it")
	w.Finish(c, "out", nil)

	_, failed := w.Begin(context.Background())
	w.Finish(failed, "ignored", errors.New("boom"))

	got := h.rec.Observations()
	require.Len(t, got, 2)
	assert.Equal(t, `{"prompt":"hi","n":2}`, got[0].Input)
	assert.Equal(t, "out", got[0].Output)
	assert.Equal(t, "m", got[0].Attr(attrs.ObservationModel))
	assert.JSONEq(t, `{"input":1}`, got[0].Attr(attrs.ObservationUsageDetails))
	assert.True(t, got[1].Failed())
	assert.Equal(t, "boom", got[1].StatusMessage)
	assert.NotContains(t, got[1].Attributes, attrs.ObservationOutput)
}

func TestWrapperFinishPanicAndEnd(t *testing.T) {
	h := setup(t)
	w := observe.NewWrapper("w")
	_, c := w.Begin(context.Background(), 1)
	w.FinishPanic(c, "bad")
	_, exited := w.Begin(context.Background())
	exited.End()
	var none observe.Call
	assert.NotPanics(t, func() { w.Finish(none, 1, nil); w.FinishPanic(none, 1); none.End() })

	got := h.rec.Observations()
	require.Len(t, got, 2)
	assert.Equal(t, "panic: bad", got[0].StatusMessage)
	assert.True(t, got[0].Failed())
	assert.False(t, got[1].Failed())
	assert.NotContains(t, got[1].Attributes, attrs.ObservationOutput)
}
