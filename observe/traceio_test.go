package observe_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

func TestSetTraceIO(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	type question struct {
		Text string `json:"text"`
	}
	answer := langfuse.Observe1("answer", func(ctx context.Context, q question) (string, error) {
		observe.SetCurrentTraceIO(ctx, q, nil) // input only
		_, gen := observe.Start(ctx, "generate")
		gen.SetTraceIO(nil, "42") // output only, from a child
		gen.End()
		return "42", nil
	}, observe.CaptureInput(false), observe.CaptureOutput(false))
	_, err := answer(ctx, question{Text: "meaning of life?"})
	assert.NoError(t, err)

	root, ok := rec.Find("answer")
	assert.True(t, ok)
	assert.Equal(t, `{"text":"meaning of life?"}`, root.Attr(semconv.TraceInput), "recorded whatever the capture switches say")
	assert.NotContains(t, root.Attributes, semconv.TraceOutput, "a nil output leaves it unset")
	assert.Empty(t, root.Input, "the observation's own input follows its switch")
	gen, _ := rec.Find("generate")
	assert.Equal(t, "42", gen.Attr(semconv.TraceOutput), "on the span that set it")
	assert.NotContains(t, gen.Attributes, semconv.TraceInput)

	// No-op and nil observations, and no trace IO at all.
	var nilObs *observe.Observation
	assert.NotPanics(t, func() {
		nilObs.SetTraceIO("a", "b")
		observe.SetCurrentTraceIO(context.Background(), "a", "b")
		observe.Current(ctx).SetTraceIO(nil, nil)
	})
}

func TestSetTraceIOIsMasked(t *testing.T) {
	h := setup(t) // the default client, no mask
	_, o := observe.Start(context.Background(), "plain")
	o.SetTraceIO(map[string]int{"n": 1}, []string{"a"})
	o.End()
	got := h.find(t, "plain")
	assert.Equal(t, `{"n":1}`, got.Attr(semconv.TraceInput))
	assert.Equal(t, `["a"]`, got.Attr(semconv.TraceOutput))

	masked, rec := newMaskedClient(t, func(v any) any {
		if s, ok := v.(string); ok && s == "secret" {
			return "[redacted]"
		}
		return v
	})
	_, o = observe.Start(masked, "masked")
	o.SetTraceIO("secret", "fine")
	o.End()
	m, _ := rec.Find("masked")
	assert.Equal(t, "[redacted]", m.Attr(semconv.TraceInput))
	assert.Equal(t, "fine", m.Attr(semconv.TraceOutput))
}

// newMaskedClient is a client of the test's own with mask, bound to the
// returned ctx.
func newMaskedClient(t *testing.T, mask func(any) any) (context.Context, *langfusetest.Recorder) {
	t.Helper()
	rec := langfusetest.NewRecorder()
	lf, err := langfuse.New(langfuse.WithSpanExporter(rec), langfuse.WithMask(mask), langfuse.AsDefault(false),
		langfuse.WithConfig(immediateConfig()))
	assert.NoError(t, err)
	t.Cleanup(func() { _ = lf.Shutdown(context.Background()) })
	return lf.Context(context.Background()), rec
}

func TestCreateEventEndsWhenItStarts(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	ev := observe.CreateEvent(ctx, "cache-hit", observe.WithInput("key"), observe.AsType(observe.TypeTool))
	assert.False(t, ev.IsRecording())
	o, ok := rec.Find("cache-hit")
	assert.True(t, ok)
	assert.Equal(t, "event", o.Type, "an event whatever AsType says")
	assert.Equal(t, "key", o.Input)
	assert.Equal(t, o.Span.StartTime(), o.Span.EndTime(), "a point in time")
}
