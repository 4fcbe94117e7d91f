package observe_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/prompt"
	"github.com/observe-go/langfuse/semconv"
	"github.com/observe-go/langfuse/tracing"
)

func TestStartNestsThreeLevels(t *testing.T) {
	h := setup(t)
	ctx, a := observe.Start(context.Background(), "a", observe.AsType(observe.TypeAgent))
	ctx, b := observe.Start(ctx, "b", observe.AsType(observe.TypeTool))
	_, c := observe.Start(ctx, "c")
	c.End()
	b.End()
	a.End()

	oa, ob, oc := h.find(t, "a"), h.find(t, "b"), h.find(t, "c")
	assert.Empty(t, oa.ParentID)
	assert.Equal(t, oa.ID, ob.ParentID)
	assert.Equal(t, ob.ID, oc.ParentID)
	assert.Equal(t, oa.TraceID, oc.TraceID)
	assert.Equal(t, "agent", oa.Type)
	assert.Equal(t, "tool", ob.Type)
	assert.Equal(t, "span", oc.Type)
	assert.Equal(t, "test", oc.Attr(semconv.Environment))
}

func TestStartObservationSiblingsAndChildren(t *testing.T) {
	h := setup(t)
	ctx, root := observe.Start(context.Background(), "root")
	s1 := observe.StartObservation(ctx, "sibling-1")
	s2 := observe.StartObservation(ctx, "sibling-2")
	child := s1.StartObservation("child-of-1")
	child.End()
	s2.End()
	s1.End()
	root.End()

	r := h.find(t, "root")
	assert.Equal(t, r.ID, h.find(t, "sibling-1").ParentID)
	assert.Equal(t, r.ID, h.find(t, "sibling-2").ParentID, "StartObservation must not make the first sibling current")
	assert.Equal(t, h.find(t, "sibling-1").ID, h.find(t, "child-of-1").ParentID)
}

func TestMethodStartIsChildOfReceiver(t *testing.T) {
	h := setup(t)
	_, parent := observe.Start(context.Background(), "parent")
	ctx, child := parent.Start(context.Background(), "child")
	assert.Equal(t, child.ID(), observe.ObservationID(ctx))
	child.End()
	parent.End()
	assert.Equal(t, h.find(t, "parent").ID, h.find(t, "child").ParentID)
}

func TestInputOutputMetadataLevel(t *testing.T) {
	h := setup(t)
	type q struct {
		Text string `json:"text"`
	}
	_, o := observe.Start(context.Background(), "obs",
		observe.WithInput(q{Text: "hi"}),
		observe.WithMetadata(map[string]any{"s": "v", "n": 3, "b": true, "f": 1.5, "m": map[string]int{"x": 1}}),
		observe.WithVersion("v2"))
	o.Update(observe.WithLevel(observe.LevelWarning), observe.WithStatusMessage("slow"))
	o.End(observe.WithOutput("plain text"))

	got := h.find(t, "obs")
	assert.Equal(t, `{"text":"hi"}`, got.Input)
	assert.Equal(t, "plain text", got.Output)
	assert.Equal(t, "v", got.Metadata["s"].AsString())
	assert.Equal(t, int64(3), got.Metadata["n"].AsInt64())
	assert.True(t, got.Metadata["b"].AsBool())
	assert.Equal(t, "1.5", got.Metadata["f"].AsString())
	assert.JSONEq(t, `{"x":1}`, got.Metadata["m"].AsString())
	assert.Equal(t, "v2", got.Attr(semconv.Version))
	assert.Equal(t, "WARNING", got.Level)
	assert.Equal(t, "slow", got.StatusMessage)
	assert.Equal(t, codes.Unset, got.Status.Code, "a level other than ERROR never sets the OTel status")
}

func TestErrorLevelSetsStatus(t *testing.T) {
	h := setup(t)
	_, o := observe.Start(context.Background(), "lvl")
	o.Update(observe.WithStatusMessage("quota exceeded"))
	o.Update(observe.WithLevel(observe.LevelError))
	o.End()
	got := h.find(t, "lvl")
	assert.True(t, got.Failed())
	assert.Equal(t, "quota exceeded", got.Status.Description)
}

func TestRecordError(t *testing.T) {
	h := setup(t)
	_, o := observe.Start(context.Background(), "rec")
	o.RecordError(nil)
	o.RecordError(errors.New("boom"))
	o.End()
	got := h.find(t, "rec")
	assert.True(t, got.Failed())
	assert.Equal(t, "boom", got.StatusMessage)
	assert.Equal(t, "boom", got.Status.Description)
	require.Len(t, got.Events, 1)
	assert.Equal(t, "exception", got.Events[0].Name)
}

func TestGenerationFields(t *testing.T) {
	h := setup(t)
	start := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	_, g := observe.Start(context.Background(), "llm", observe.AsType(observe.TypeGeneration),
		observe.WithModel("gpt-4o"),
		observe.WithModelParameters(map[string]any{"temperature": 0.2}),
		observe.WithPrompt("qa", 3))
	g.Update(observe.WithUsage(map[string]int{"input": 10, "output": 20, "bad": -1}),
		observe.WithCost(map[string]float64{"total": 0.5}),
		observe.WithCompletionStartTime(start))
	g.End()
	got := h.find(t, "llm")
	assert.Equal(t, "generation", got.Type)
	assert.Equal(t, "gpt-4o", got.Attr(semconv.ObservationModel))
	assert.JSONEq(t, `{"temperature":0.2}`, got.Attr(semconv.ObservationModelParameters))
	assert.JSONEq(t, `{"input":10,"output":20}`, got.Attr(semconv.ObservationUsageDetails))
	assert.JSONEq(t, `{"total":0.5}`, got.Attr(semconv.ObservationCostDetails))
	assert.Equal(t, `"2026-01-02T03:04:05.000006Z"`, got.Attr(semconv.ObservationCompletionStartTime))
	assert.Equal(t, "qa", got.Attr(semconv.ObservationPromptName))
	assert.Equal(t, int64(3), got.Attributes[semconv.ObservationPromptVersion].AsInt64())
	assert.Equal(t, "gpt-4o", got.Attr(semconv.GenAIRequestModel), "mirrored for other OTel backends")
	assert.Equal(t, int64(10), got.Attributes[semconv.GenAIUsageInputTokens].AsInt64())
	assert.Equal(t, int64(20), got.Attributes[semconv.GenAIUsageOutputTokens].AsInt64())
	assert.Contains(t, h.logs.String(), "negative usage")
}

func TestGenerationOnlyOptionsIgnoredElsewhere(t *testing.T) {
	h := setup(t)
	_, s := observe.Start(context.Background(), "tool", observe.AsType(observe.TypeTool), observe.WithModel("x"))
	s.Update(observe.AsType(observe.TypeGeneration), observe.WithUsage(map[string]int{"input": 1}), observe.WithInput("kept"))
	s.End()
	_, e := observe.Start(context.Background(), "emb", observe.AsType(observe.TypeEmbedding),
		observe.WithModel("text-embedding-3"), observe.WithPrompt("p", 1))
	e.End()

	got := h.find(t, "tool")
	assert.Equal(t, "tool", got.Type, "Update never retypes")
	assert.Equal(t, observe.TypeTool, s.Type())
	assert.NotContains(t, got.Attributes, semconv.ObservationModel)
	assert.NotContains(t, got.Attributes, semconv.ObservationUsageDetails)
	assert.NotContains(t, got.Attributes, semconv.GenAIRequestModel, "no GenAI mirror on other types")
	assert.Equal(t, "kept", got.Input, "other options in the same Update still apply")

	emb := h.find(t, "emb")
	assert.Equal(t, "text-embedding-3", emb.Attr(semconv.ObservationModel), "embedding is generation-like")
	assert.NotContains(t, emb.Attributes, semconv.ObservationPromptName, "a prompt is for generations only")
}

func TestPromptNeedsNameAndVersion(t *testing.T) {
	h := setup(t)
	_, g := observe.Start(context.Background(), "g", observe.AsType(observe.TypeGeneration), observe.WithPrompt("", 2))
	g.Update(observe.WithPrompt("p", 0))
	g.End()
	got := h.find(t, "g")
	assert.NotContains(t, got.Attributes, semconv.ObservationPromptName)
	assert.NotContains(t, got.Attributes, semconv.ObservationPromptVersion)
}

func TestUnknownTypeAndLevel(t *testing.T) {
	h := setup(t)
	_, o := observe.Start(context.Background(), "odd", observe.AsType("weird"), observe.WithLevel("LOUD"))
	o.End()
	got := h.find(t, "odd")
	assert.Equal(t, "span", got.Type)
	assert.Empty(t, got.Level)
	assert.Contains(t, h.logs.String(), "unknown observation type")
}

func TestEndIsIdempotent(t *testing.T) {
	h := setup(t)
	_, o := observe.Start(context.Background(), "once")
	o.End(observe.WithOutput("first"))
	o.End(observe.WithOutput("second"))
	o.Update(observe.WithOutput("third"))
	require.Len(t, h.rec.Spans(), 1)
	assert.Equal(t, "first", h.find(t, "once").Output)
	assert.False(t, o.IsRecording())
}

func TestCreateEvent(t *testing.T) {
	h := setup(t)
	ctx, root := observe.Start(context.Background(), "root")
	ev := observe.CreateEvent(ctx, "cache-miss", observe.WithInput("key"))
	assert.False(t, ev.IsRecording(), "an event is already ended")
	root.End()
	got := h.find(t, "cache-miss")
	assert.Equal(t, "event", got.Type)
	assert.Equal(t, "key", got.Input)
	assert.Equal(t, h.find(t, "root").ID, got.ParentID)
}

func TestCaptureOptionsOnManualObservation(t *testing.T) {
	h := setup(t)
	_, o := observe.Start(context.Background(), "private", observe.CaptureInput(false), observe.WithInput("secret"))
	o.End(observe.WithOutput("shown"))
	got := h.find(t, "private")
	assert.NotContains(t, got.Attributes, semconv.ObservationInput)
	assert.Equal(t, "shown", got.Output)
}

func TestNilAndNoopAreSafe(t *testing.T) {
	var o *observe.Observation
	assert.NotPanics(t, func() {
		o.Update(observe.WithInput(1))
		o.RecordError(errors.New("x"))
		o.End()
		_, c := o.Start(context.Background(), "c")
		c.End()
		o.StartObservation("d").End()
		assert.Empty(t, o.TraceID())
		assert.Empty(t, o.ID())
		assert.Equal(t, observe.TypeSpan, o.Type())
		assert.False(t, o.IsRecording())
		assert.NotNil(t, o.Span())
		assert.NotNil(t, o.Context(context.Background()))
	})

	// No client at all: everything is a no-op and nothing panics.
	ctx, n := observe.Start(context.Background(), "none")
	require.NotNil(t, n)
	assert.False(t, n.IsRecording())
	assert.Empty(t, observe.TraceID(ctx))
	observe.UpdateCurrent(ctx, observe.WithInput("x"))
	n.End()
	assert.NotNil(t, observe.CreateEvent(ctx, "e"))
}

func TestConcurrentUpdatesAndEnd(t *testing.T) {
	h := setup(t)
	_, o := observe.Start(context.Background(), "shared")
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			o.Update(observe.WithMetadata(map[string]any{"k": i}))
			o.RecordError(errors.New("e"))
			o.End()
		}()
	}
	for i := 0; i < 8; i++ {
		<-done
	}
	require.Len(t, h.rec.Spans(), 1)
	assert.True(t, h.find(t, "shared").Failed())
}

func TestObeyCaptureSwitchesFollowsTheCaptureSwitch(t *testing.T) {
	for _, tc := range []struct {
		name          string
		switchOn      bool
		opts          []observe.Option
		wantIn, wantO bool
	}{
		{"switch on", true, nil, true, true},
		{"switch off", false, nil, false, false},
		{"switch off, input forced on", false, []observe.Option{observe.CaptureInput(true)}, true, false},
		{"switch on, output off", true, []observe.Option{observe.CaptureOutput(false)}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := immediateConfig()
			cfg.IOCaptureEnabled = tc.switchOn
			ctx, rec := clientWith(t, cfg)
			opts := append([]observe.Option{observe.ObeyCaptureSwitches(), observe.WithInput("prompt")}, tc.opts...)
			_, o := observe.Start(ctx, "call", opts...)
			o.End(observe.WithOutput("completion"))
			got, ok := rec.Find("call")
			require.True(t, ok)
			_, hasIn := got.Attributes[semconv.ObservationInput]
			_, hasOut := got.Attributes[semconv.ObservationOutput]
			assert.Equal(t, tc.wantIn, hasIn, "input recorded")
			assert.Equal(t, tc.wantO, hasOut, "output recorded")
		})
	}
	// Without ObeyCaptureSwitches, an explicit input is recorded whatever the switch.
	cfg := immediateConfig()
	cfg.IOCaptureEnabled = false
	ctx, rec := clientWith(t, cfg)
	_, o := observe.Start(ctx, "by-hand", observe.WithInput("prompt"))
	o.End()
	got, ok := rec.Find("by-hand")
	require.True(t, ok)
	assert.Equal(t, "prompt", got.Input)
}

// clientWith is a client of the test's own with configuration cfg,
// recording into a fresh recorder, and a context bound to it.
func clientWith(t *testing.T, cfg config.Config) (context.Context, *langfusetest.Recorder) {
	t.Helper()
	rec := langfusetest.NewRecorder()
	lf, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(rec),
		langfuse.WithExportFilter(tracing.ExportAll), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = lf.Shutdown(context.Background()) })
	return lf.Context(context.Background()), rec
}

func TestFromPromptLinksAVersionNeverAFallback(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	version := &prompt.Prompt{Name: "support/answer", Version: 4, Type: prompt.TypeText}
	fallback := &prompt.Prompt{Name: "support/answer", Version: 1, IsFallback: true}

	for name, p := range map[string]*prompt.Prompt{"linked": version, "fallback": fallback, "none": nil} {
		_, o := observe.Start(ctx, name, observe.AsType(observe.TypeGeneration), observe.FromPrompt(p))
		o.End()
	}
	linked := rec.MustFind(t, "linked")
	assert.Equal(t, "support/answer", linked.PromptName)
	assert.Equal(t, 4, linked.PromptVersion)
	for _, name := range []string{"fallback", "none"} {
		o := rec.MustFind(t, name)
		assert.NotContains(t, o.Attributes, semconv.ObservationPromptName, name)
		assert.NotContains(t, o.Attributes, semconv.ObservationPromptVersion, name)
	}
}
