package experiment_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/experiment"
	"github.com/observe-go/langfuse/langfusetest"
)

// fakeLangfuse serves the dataset API of Langfuse for one dataset, "qa",
// whose items hold a question object and an answer string, one of them
// archived, and records the dataset run items posted.
type fakeLangfuse struct {
	mu       sync.Mutex
	runItems []map[string]any
	fail     map[string]int // dataset item id -> status to answer its run item with
}

func (f *fakeLangfuse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if pk, sk, ok := r.BasicAuth(); !ok || pk != "pk-lf-test" || sk != "sk-lf-test" {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/api/public/v2/datasets/qa":
		fmt.Fprint(w, `{"id":"ds-qa","projectId":"p","name":"qa","description":"questions","metadata":null,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}`)
	case "/api/public/dataset-items":
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		items := []string{
			`{"id":"q1","datasetId":"ds-qa","datasetName":"qa","status":"ACTIVE","input":{"question":"2+2"},"expectedOutput":"4","metadata":{"level":"easy"}}`,
			`{"id":"q2","datasetId":"ds-qa","datasetName":"qa","status":"ARCHIVED","input":{"question":"old"},"expectedOutput":"x","metadata":null}`,
			`{"id":"q3","datasetId":"ds-qa","datasetName":"qa","status":"ACTIVE","input":{"question":"3*3"},"expectedOutput":"9","metadata":"tagged"}`,
		}
		// Two items a page, whatever the limit asked.
		var data []json.RawMessage
		for i := (page - 1) * 2; i < page*2 && i < len(items); i++ {
			data = append(data, json.RawMessage(items[i]))
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "meta": map[string]any{"page": page, "totalPages": 2}})
	case "/api/public/dataset-run-items":
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		f.runItems = append(f.runItems, body)
		status := f.fail[fmt.Sprint(body["datasetItemId"])]
		f.mu.Unlock()
		if status != 0 {
			http.Error(w, `{"message":"nope"}`, status)
			return
		}
		fmt.Fprintf(w, `{"id":"ri","datasetRunId":"run-qa-1","datasetRunName":%q,"datasetItemId":%q,"traceId":%q,"observationId":%q,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}`,
			body["runName"], body["datasetItemId"], body["traceId"], body["observationId"])
	default:
		http.NotFound(w, r)
	}
}

type question struct {
	Question string `json:"question"`
}

func answer(_ context.Context, it experiment.Item[question, string]) (string, error) {
	return map[string]string{"2+2": "4", "3*3": "6"}[it.Input.Question], nil
}

// TestRunOverALangfuseDataset fetches a dataset through ctx's client,
// runs over its active items, links each trace to its dataset item in
// the run, and scores the dataset run with the run evaluations.
func TestRunOverALangfuseDataset(t *testing.T) {
	f := &fakeLangfuse{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	rec := langfusetest.NewRecorder()
	c := batchedClient(t, rec, srv.URL)
	ctx := c.Context(context.Background())

	version := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	items, err := experiment.FetchDataset[question, string](ctx, "qa", langfuse.DatasetVersion(version))
	require.NoError(t, err)
	require.Len(t, items, 2, "the archived item is left out")
	assert.Equal(t, experiment.Item[question, string]{ID: "q1", Input: question{"2+2"}, Expected: "4",
		Metadata: map[string]any{"level": "easy"}, DatasetID: "ds-qa", Version: version}, items[0])
	assert.Equal(t, map[string]any{"metadata": "tagged"}, items[1].Metadata)

	mean := experiment.NewRunEvaluator("mean_exact_match", func(_ context.Context, rs []experiment.ItemResult[question, string, string]) ([]experiment.Evaluation, error) {
		n := 0.0
		for _, r := range rs {
			if r.Output == r.Item.Expected {
				n++
			}
		}
		return []experiment.Evaluation{{Name: "mean_exact_match", Value: n / float64(len(rs))}}, nil
	})
	res, err := experiment.Run(ctx, "qa-bot", items, answer, experiment.WithRunName("qa-bot v2"),
		experiment.WithDescription("second try"), experiment.WithMetadata(map[string]any{"model": "m"}),
		experiment.WithEvaluators(experiment.ExactMatch[question, string]()), experiment.WithRunEvaluators(mean))
	require.NoError(t, err)
	assert.Equal(t, "run-qa-1", res.DatasetRunID)
	assert.Equal(t, "run-qa-1", res.ExperimentID)
	require.NoError(t, c.Shutdown(context.Background()))

	f.mu.Lock()
	runItems := f.runItems
	f.mu.Unlock()
	require.Len(t, runItems, 2)
	for i, ri := range runItems {
		var it experiment.ItemResult[question, string, string]
		for _, r := range res.Items {
			if r.Item.ID == ri["datasetItemId"] {
				it = r
			}
		}
		require.NotEmpty(t, it.TraceID, "run item %d names an item of the run", i)
		assert.Equal(t, "qa-bot v2", ri["runName"])
		assert.Equal(t, "second try", ri["runDescription"])
		assert.Equal(t, map[string]any{"model": "m"}, ri["metadata"])
		assert.Equal(t, it.TraceID, ri["traceId"])
		assert.Equal(t, it.ObservationID, ri["observationId"])
		assert.Equal(t, "2026-02-03T04:05:06.000Z", ri["datasetVersion"])
	}
	for _, o := range rec.Observations() {
		v := ingest(o)
		assert.Equal(t, "run-qa-1", v.ExperimentID, o.Name)
		assert.Equal(t, "ds-qa", v.DatasetID, o.Name)
		assert.Contains(t, []string{"q1", "q3"}, v.ItemID, o.Name)
		assert.Equal(t, "2026-02-03T04:05:06.000Z", v.ItemVersion, o.Name)
	}
	var runScore *langfuse.Score
	for _, s := range rec.Scores() {
		if s.DatasetRunID != "" {
			runScore = &s
		}
	}
	require.NotNil(t, runScore, "the run evaluation scores the dataset run")
	assert.Equal(t, "mean_exact_match", runScore.Name)
	assert.Equal(t, 0.5, runScore.Value)
	assert.Equal(t, "run-qa-1", runScore.DatasetRunID)
	assert.Empty(t, runScore.TraceID)
}

// TestRunWhenLinkingFails checks that an item whose dataset run item is
// refused still runs and is scored, with the refusal on its result.
func TestRunWhenLinkingFails(t *testing.T) {
	f := &fakeLangfuse{fail: map[string]int{"q1": http.StatusBadRequest}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	rec := langfusetest.NewRecorder()
	c := batchedClient(t, rec, srv.URL)
	ctx := c.Context(context.Background())
	items, err := experiment.FetchDataset[question, string](ctx, "qa")
	require.NoError(t, err)
	res, err := experiment.Run(ctx, "qa-bot", items, answer, experiment.WithEvaluators(experiment.ExactMatch[question, string]()))
	require.NoError(t, err)
	require.Len(t, res.Items, 2)
	assert.ErrorContains(t, res.Items[0].LinkErr, "400")
	assert.NoError(t, res.Items[1].LinkErr)
	assert.Len(t, res.Items[0].Evaluations, 1)
	assert.Equal(t, "run-qa-1", res.DatasetRunID)
}

func TestFetchDatasetErrors(t *testing.T) {
	ctx, _ := langfusetest.New(t)
	_, err := experiment.FetchDataset[question, string](ctx, "qa")
	assert.ErrorIs(t, err, langfuse.ErrNoKeys, "a langfusetest client has no keys")

	ds := &langfuse.Dataset{ID: "d", Name: "n", Items: []langfuse.DatasetItem{{ID: "bad", Input: json.RawMessage(`"not an object"`)}}}
	_, err = experiment.Items[question, string](ds)
	assert.ErrorContains(t, err, `dataset "n" item bad: input`)
	items, err := experiment.Items[any, any](ds)
	require.NoError(t, err)
	assert.Equal(t, "not an object", items[0].Input)
	assert.Equal(t, "d", items[0].DatasetID, "the dataset's id when the item names none")
}
