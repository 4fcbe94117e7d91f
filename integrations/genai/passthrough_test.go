package langfusegenai_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Contents []struct {
				Parts []struct {
					Text string `json:"text"`
				} `json:"parts"`
			} `json:"contents"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Contents) == 0 || len(req.Contents[0].Parts) == 0 {
			llmtest.WriteJSON(w, 400, `{"error":{"code":400,"message":"bad request","status":"INVALID_ARGUMENT"}}`)
			return
		}
		echo, _ := json.Marshal("echo: " + req.Contents[0].Parts[0].Text)
		chunk := fmt.Sprintf(`{"candidates":[{"content":{"role":"model","parts":[{"text":%s}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}}`, echo)
		if strings.HasSuffix(r.URL.Path, ":streamGenerateContent") {
			writeSSE(w, chunk)
			return
		}
		llmtest.WriteJSON(w, 200, chunk)
	})
	client := newClient(t, srv)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, o := observe.Start(ctx, fmt.Sprintf("worker-%d", i))
			defer o.End()
			prompt := fmt.Sprintf("prompt %d", i)
			if i%2 == 0 {
				_, errs[i] = client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text(prompt), nil)
				return
			}
			for _, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text(prompt), nil) {
				if err != nil {
					errs[i] = err
				}
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "call %d", i)
	}
	parents := map[string]string{}
	for _, o := range rec.Observations() {
		if strings.HasPrefix(o.Name, "worker-") {
			parents[o.ID] = strings.TrimPrefix(o.Name, "worker-")
		}
	}
	seen := 0
	for _, o := range rec.Observations() {
		if !strings.HasPrefix(o.Name, "genai.") {
			continue
		}
		seen++
		i, ok := parents[o.ParentID]
		require.True(t, ok, "%s has a worker as parent", o.Name)
		assert.Contains(t, o.Input, "prompt "+i)
		assert.Contains(t, o.Output, "echo: prompt "+i)
		assert.Equal(t, map[string]int{"input": 3, "output": 2, "total": 5}, llmtest.UsageOf(t, o))
	}
	assert.Equal(t, n, seen)
}

func TestTracingDisabledPassesThrough(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ctx  func(t *testing.T) (context.Context, *langfusetest.Recorder)
	}{
		{"no client in the context", func(t *testing.T) (context.Context, *langfusetest.Recorder) {
			_, rec := langfusetest.New(t)
			return context.Background(), rec
		}},
		{"client with tracing disabled", func(t *testing.T) (context.Context, *langfusetest.Recorder) { return llmtest.DisabledContext(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, rec := tc.ctx(t)
			srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, ":streamGenerateContent") {
					writeSSE(w, streamChunks...)
					return
				}
				llmtest.WriteJSON(w, 200, answerJSON)
			})
			client := newClient(t, srv)
			resp, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("hi"), nil)
			require.NoError(t, err)
			assert.Equal(t, "Paris is the capital of France.", resp.Text())
			var texts []string
			for resp, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("hi"), nil) {
				require.NoError(t, err)
				texts = append(texts, resp.Text())
			}
			assert.Equal(t, []string{"The sky", " is blue", " by day."}, texts)
			assert.Empty(t, rec.Spans())
		})
	}
}

func TestCaptureSwitchesFromOptions(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ":streamGenerateContent") {
			writeSSE(w, streamChunks...)
			return
		}
		llmtest.WriteJSON(w, 200, answerJSON)
	})
	client := newClient(t, srv, langfusegenai.WithObservationOptions(observe.CaptureInput(false), observe.CaptureOutput(false),
		observe.WithMetadata(map[string]any{"team": "search"})))
	_, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("secret question"), generateConfig())
	require.NoError(t, err)
	for _, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("secret question"), nil) {
		require.NoError(t, err)
	}
	for _, name := range []string{"genai.generateContent", "genai.streamGenerateContent"} {
		g := llmtest.Find(t, rec, name)
		assert.Empty(t, g.Input, name)
		assert.Empty(t, g.Output, name)
		assert.Equal(t, "gemini-2.5-flash-001", g.Attr(semconv.ObservationModel), name)
		assert.NotEmpty(t, llmtest.UsageOf(t, g), name)
		assert.Equal(t, "search", g.Metadata["team"].AsString(), name)
		for _, s := range rec.Spans() {
			for _, a := range s.Attributes() {
				assert.NotContains(t, a.Value.String(), "secret question")
			}
		}
	}
}

// TestAPIKeyInTheQueryIsNeverRecorded sends the key as the key= query
// parameter, the other way the Gemini API takes it.
func TestAPIKeyInTheQueryIsNeverRecorded(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	const secret = "AIzaSy-query-secret"
	var gotKey string
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		gotKey = r.URL.Query().Get("key")
		writeSSE(w, streamChunks...)
	})
	hc := &http.Client{Transport: langfusegenai.NewTransport(nil)}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		srv.URL+"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key="+secret,
		strings.NewReader(`{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`))
	require.NoError(t, err)
	req.Header.Set("x-goog-api-key", secret)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, secret, gotKey)
	require.NotEmpty(t, rec.Spans())
	llmtest.AssertNoSecret(t, rec, secret)
}

func TestCountTokensIsNotAModelCall(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var gotPath string
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		llmtest.WriteJSON(w, 200, `{"totalTokens": 31, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 31}]}`)
	})
	resp, err := newClient(t, srv).Models.CountTokens(ctx, "gemini-2.5-flash", genai.Text("count me"), nil)
	require.NoError(t, err)
	assert.EqualValues(t, 31, resp.TotalTokens)
	assert.Equal(t, "/v1beta/models/gemini-2.5-flash:countTokens", gotPath)
	assert.Empty(t, rec.Spans())
}
