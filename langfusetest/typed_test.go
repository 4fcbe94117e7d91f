package langfusetest_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

func TestObservationHasTypedFieldsForWhatLangfuseReads(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	ctx = observe.PropagateAttributes(ctx, observe.Attributes{
		UserID: "user-1", SessionID: "session-1", TraceName: "chat", Tags: []string{"beta", "eu"}, Version: "v7",
	})
	first := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	_, gen := observe.Start(ctx, "llm", observe.AsType(observe.TypeGeneration),
		observe.WithModel("gpt-4o"),
		observe.WithModelParameters(map[string]any{"temperature": 0.2, "stream": true}),
		observe.WithUsage(map[string]int{"input": 10, "output": 32, "total": 42}),
		observe.WithCost(map[string]float64{"total": 0.0125}),
		observe.WithCompletionStartTime(first),
		observe.WithPrompt("support/answer", 3))
	gen.SetTraceIO("question", map[string]string{"answer": "42"})
	gen.End()

	o := rec.MustFind(t, "llm")
	assert.Equal(t, "generation", o.Type)
	assert.Equal(t, "gpt-4o", o.Model)
	assert.Equal(t, map[string]any{"temperature": 0.2, "stream": true}, o.ModelParameters)
	assert.Equal(t, map[string]int{"input": 10, "output": 32, "total": 42}, o.Usage)
	assert.Equal(t, map[string]float64{"total": 0.0125}, o.Cost)
	assert.True(t, first.Equal(o.CompletionStart), "completion start %v", o.CompletionStart)
	assert.Equal(t, "support/answer", o.PromptName)
	assert.Equal(t, 3, o.PromptVersion)
	assert.Equal(t, "user-1", o.UserID)
	assert.Equal(t, "session-1", o.SessionID)
	assert.Equal(t, "chat", o.TraceName)
	assert.Equal(t, []string{"beta", "eu"}, o.Tags)
	assert.Equal(t, "v7", o.Version)
	assert.Equal(t, "question", o.TraceInput)
	assert.JSONEq(t, `{"answer":"42"}`, o.TraceOutput)
}

func TestObservationTypedFieldsAreEmptyWhenNotRecorded(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	_, o := observe.Start(ctx, "plain")
	o.End()

	got := rec.MustFind(t, "plain")
	assert.Empty(t, got.Model)
	assert.Nil(t, got.Usage)
	assert.Nil(t, got.Cost)
	assert.Nil(t, got.ModelParameters)
	assert.True(t, got.CompletionStart.IsZero())
	assert.Zero(t, got.PromptVersion)
	assert.Nil(t, got.Tags)
}

func TestFindAllKeepsTheOrderObservationsEnded(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	step := langfuse.Observe1("step", func(_ context.Context, n int) (int, error) { return n * n, nil })
	for i := range 3 {
		_, err := step(ctx, i+1)
		require.NoError(t, err)
	}
	all := rec.FindAll("step")
	require.Len(t, all, 3)
	for i, o := range all {
		assert.Equal(t, fmt.Sprint((i+1)*(i+1)), o.Output)
	}
	assert.Empty(t, rec.FindAll("absent"))
}

// fatalRecorder is a testing.TB whose Fatalf is recorded instead of
// ending the test, so that MustFind's failure can be checked.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
}

func TestMustFindFailsNamingWhatWasRecorded(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	_, o := observe.Start(ctx, "present")
	o.End()

	fr := &fatalRecorder{TB: t}
	got := rec.MustFind(fr, "missing")
	assert.Empty(t, got.Name)
	assert.Equal(t, `langfusetest: no observation "missing" among the 1 recorded: ["present"]`, fr.msg)
}

func TestServeRunsTheHandlerWithTheTestsClient(t *testing.T) {
	t.Parallel()
	others := defaultClient(t)
	ctx, rec := langfusetest.New(t)
	feedback := langfuse.ObserveHandler("feedback", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := langfuse.CreateScore(r.Context(), langfuse.Score{
			Name: "helpful", Value: true, TraceID: observe.TraceID(r.Context()),
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	srv := langfusetest.Serve(t, ctx, feedback)

	resp, err := srv.Client().Post(srv.URL+"/feedback", "application/json", nil)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)

	h := rec.MustFind(t, "feedback")
	scores := rec.Scores()
	require.Len(t, scores, 1, "the score made through ctx's client is recorded")
	assert.Equal(t, "helpful", scores[0].Name)
	assert.Equal(t, h.TraceID, scores[0].TraceID)
	assert.Empty(t, others.Observations(), "nothing reaches the default client")
	assert.Empty(t, others.Scores())
}
