package experiment_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/experiment"
	"github.com/observe-go/langfuse/langfusetest"
)

const judgeKey = "sk-judge-secret-123"

// fakeModel is an OpenAI-compatible chat completions server; answer
// writes its answer, the default a verdict of 0.8.
type fakeModel struct {
	mu     sync.Mutex
	bodies []map[string]any
	auth   []string
	answer func(w http.ResponseWriter, r *http.Request)
}

func (f *fakeModel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	answer := f.answer
	f.mu.Unlock()
	if r.URL.Path != "/v1/chat/completions" {
		http.NotFound(w, r)
		return
	}
	if answer != nil {
		answer(w, r)
		return
	}
	fmt.Fprint(w, `{"model":"judge-model-2026","choices":[{"message":{"role":"assistant","content":"{\"score\": 0.8, \"reasoning\": \"close enough\"}"}}],
		"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}`)
}

func newFakeModel(t *testing.T) (*fakeModel, string) {
	f := &fakeModel{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL + "/v1"
}

func judgeRun(t *testing.T, ctx context.Context, opts ...experiment.JudgeOption) (*experiment.Result[string, string, string], *langfusetest.Recorder) {
	t.Helper()
	var rec *langfusetest.Recorder
	if ctx == nil {
		ctx, rec = langfusetest.New(t)
	}
	judge := experiment.LLMJudge[string, string, string]("The output names the capital.", opts...)
	res, err := experiment.Run(ctx, "judged", capitals[:1], capital, experiment.WithEvaluators(judge))
	require.NoError(t, err)
	return res, rec
}

func TestLLMJudgeScoresAndRecordsItsGeneration(t *testing.T) {
	f, base := newFakeModel(t)
	res, rec := judgeRun(t, nil, experiment.JudgeModel("judge-model"), experiment.JudgeEndpoint(base, judgeKey))
	it := res.Items[0]
	require.Empty(t, it.EvalErrors)
	e, ok := it.Evaluation("llm_judge")
	require.True(t, ok)
	assert.Equal(t, 0.8, e.Value)
	assert.Equal(t, "close enough", e.Comment)

	gen := rec.MustFind(t, "llm-judge")
	ev := rec.MustFind(t, "llm_judge")
	assert.Equal(t, "generation", gen.Type)
	assert.Equal(t, "judge-model-2026", gen.Model, "the model that answered")
	assert.Equal(t, map[string]int{"input": 10, "output": 5, "total": 15}, gen.Usage)
	assert.Equal(t, ev.ID, gen.ParentID, "under the evaluator observation")
	assert.Equal(t, it.TraceID, gen.TraceID, "in the item's trace")
	assert.NotEmpty(t, ingest(gen).ExperimentID, "with the experiment's attributes")
	assert.Contains(t, gen.Output, "close enough")
	assert.NotContains(t, gen.Input, judgeKey)

	require.Len(t, rec.Scores(), 1)
	assert.Equal(t, it.ObservationID, rec.Scores()[0].ObservationID)

	f.mu.Lock()
	defer f.mu.Unlock()
	require.Len(t, f.bodies, 1)
	assert.Equal(t, "Bearer "+judgeKey, f.auth[0])
	body := f.bodies[0]
	assert.Equal(t, "judge-model", body["model"])
	assert.Equal(t, map[string]any{"type": "json_object"}, body["response_format"])
	msgs, _ := json.Marshal(body["messages"])
	assert.Contains(t, string(msgs), "The output names the capital.")
	assert.Contains(t, string(msgs), `Input:\nFrance`)
	assert.Contains(t, string(msgs), `Expected output:\nParis`)
	assert.Contains(t, string(msgs), `Output:\nParis`)
}

func TestLLMJudgeWithoutItsOwnGeneration(t *testing.T) {
	_, base := newFakeModel(t)
	res, rec := judgeRun(t, nil, experiment.JudgeModel("m"), experiment.JudgeEndpoint(base, judgeKey),
		experiment.JudgeRecordGeneration(false), experiment.JudgeScoreName("capital_ok"))
	_, ok := res.Items[0].Evaluation("capital_ok")
	assert.True(t, ok)
	assert.Empty(t, rec.FindAll("llm-judge"))
	rec.MustFind(t, "capital_ok")
}

// TestLLMJudgeHostileModel runs the judge against a model server that
// misbehaves: each failure is an evaluator error on the item naming the
// reason, never holding the API key.
func TestLLMJudgeHostileModel(t *testing.T) {
	other, otherBase := newFakeModel(t)
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
		want   string
	}{
		{"401 echoing the key", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad key "+r.Header.Get("Authorization"), http.StatusUnauthorized)
		}, "answered 401"},
		{"garbage", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>oops") }, "not a chat completion"},
		{"no verdict", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"choices":[{"message":{"content":"It looks right to me."}}]}`)
		}, `not {"score": 0 to 1`},
		{"score out of range", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"choices":[{"message":{"content":"{\"score\": 7}"}}]}`)
		}, `not {"score": 0 to 1`},
		{"redirect to another origin", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, otherBase+"/chat/completions", http.StatusTemporaryRedirect)
		}, "another origin"},
		{"huge answer", func(w http.ResponseWriter, r *http.Request) {
			chunk := strings.Repeat("x", 64<<10)
			for range 80 { // 5 MiB, over the 4 MiB read
				if _, err := fmt.Fprint(w, chunk); err != nil {
					return
				}
			}
		}, "answer over"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, base := newFakeModel(t)
			f.answer = c.answer
			res, rec := judgeRun(t, nil, experiment.JudgeModel("m"), experiment.JudgeEndpoint(base, judgeKey))
			errs := res.Items[0].EvalErrors
			require.Len(t, errs, 1)
			assert.ErrorContains(t, errs[0], c.want)
			assert.NotContains(t, errs[0].Error(), judgeKey)
			assert.True(t, rec.MustFind(t, "llm_judge").Failed())
			for _, o := range rec.Observations() {
				assert.NotContains(t, o.StatusMessage, judgeKey)
			}
		})
	}
	other.mu.Lock()
	defer other.mu.Unlock()
	assert.Empty(t, other.auth, "the key never went to the other origin")
}

func TestLLMJudgeHangingModelEndsWithCtx(t *testing.T) {
	f, base := newFakeModel(t)
	arrived := make(chan struct{}, 1)
	f.answer = func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	}
	ctx, _ := langfusetest.New(t)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	judge := experiment.LLMJudge[string, string, string]("c", experiment.JudgeModel("m"), experiment.JudgeEndpoint(base, judgeKey))
	done := make(chan *experiment.Result[string, string, string], 1)
	go func() {
		res, _ := experiment.Run(ctx, "hang", capitals[:1], capital, experiment.WithEvaluators(judge))
		done <- res
	}()
	<-arrived
	cancel()
	res := <-done
	require.Len(t, res.Items, 1)
	require.Len(t, res.Items[0].EvalErrors, 1)
	assert.ErrorIs(t, res.Items[0].EvalErrors[0], context.Canceled)
}

func TestLLMJudgeNeedsAModelAndAnEndpoint(t *testing.T) {
	res, _ := judgeRun(t, nil, experiment.JudgeEndpoint("http://127.0.0.1:1/v1", judgeKey))
	assert.ErrorContains(t, res.Items[0].EvalErrors[0], "JudgeModel is required")
	res, _ = judgeRun(t, nil, experiment.JudgeModel("m"), experiment.JudgeEndpoint("ftp://user:pw@host", judgeKey))
	assert.ErrorContains(t, res.Items[0].EvalErrors[0], "JudgeEndpoint needs an http(s) base URL")
}
