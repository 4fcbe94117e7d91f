package langfusegenai_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

func TestStream(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var gotQuery string
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		gotQuery = r.URL.RawQuery
		writeSSE(w, streamChunks...)
	})
	client := newClient(t, srv)
	ctx, parent := observe.Start(ctx, "ask")
	start := time.Now()
	var texts []string
	for resp, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Why is the sky blue?"),
		&genai.GenerateContentConfig{Temperature: genai.Ptr[float32](0.5)}) {
		require.NoError(t, err)
		texts = append(texts, resp.Text())
	}
	end := time.Now()
	parent.End()
	assert.Equal(t, "alt=sse", gotQuery)
	assert.Equal(t, []string{"The sky", " is blue", " by day."}, texts, "the SDK reads every chunk as sent")

	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "generation", g.Type)
	assert.Equal(t, parent.ID(), g.ParentID)
	assert.Empty(t, g.Level)
	assert.Equal(t, "gemini-2.5-flash-001", g.Attr(semconv.ObservationModel))
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{map[string]any{"text": "The sky is blue by day."}}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 9, "output": 5, "total": 14}, llmtest.UsageOf(t, g), "usage of the last chunk")
	assert.InDelta(t, 0.5, llmtest.ParamsOf(t, g)["temperature"], 1e-6)
	assert.Equal(t, "STOP", g.Metadata["finish_reason"].AsString())
	assert.Equal(t, "resp-stream", g.Metadata["response_id"].AsString())

	var first time.Time
	require.NoError(t, json.Unmarshal([]byte(g.Attr(semconv.ObservationCompletionStartTime)), &first), g.Attr(semconv.ObservationCompletionStartTime))
	assert.False(t, first.Before(start.Truncate(time.Millisecond)), "first chunk %v before the call %v", first, start)
	assert.False(t, first.After(end), "first chunk %v after the end %v", first, end)
	assert.False(t, first.Before(g.Span.StartTime().Truncate(time.Millisecond)))
	assert.False(t, first.After(g.Span.EndTime()))
	llmtest.AssertNoSecret(t, rec, apiKey)
}

// TestStreamBytesPassThrough reads the streamed body through the
// transport as the SDK would and compares it byte for byte.
func TestStreamBytesPassThrough(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { writeSSE(w, streamChunks...) })
	hc := &http.Client{Transport: langfusegenai.NewTransport(nil)}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		srv.URL+"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
		strings.NewReader(`{"contents":[{"role":"user","parts":[{"text":"Why?"}]}]}`))
	require.NoError(t, err)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, sseBody(streamChunks...), string(body))
	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Contains(t, g.Output, "The sky is blue by day.")
}

func TestStreamToolCalls(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { writeSSE(w, streamToolChunks...) })
	var calls []string
	for resp, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Weather?"), nil) {
		require.NoError(t, err)
		for _, c := range resp.FunctionCalls() {
			calls = append(calls, c.Name)
		}
	}
	assert.Equal(t, []string{"get_weather", "get_time"}, calls)

	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Empty(t, g.Level)
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{
		map[string]any{"text": "Checking."},
		map[string]any{"functionCall": map[string]any{"name": "get_weather", "args": map[string]any{"city": "Paris"}}},
		map[string]any{"functionCall": map[string]any{"name": "get_time", "args": map[string]any{"zone": "CET"}}},
	}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 20, "output": 11, "total": 31}, llmtest.UsageOf(t, g))
}

func TestStreamThoughtsApartFromTheAnswer(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w,
			`{"candidates":[{"content":{"role":"model","parts":[{"text":"Light scatters","thought":true}]}}]}`,
			`{"candidates":[{"content":{"role":"model","parts":[{"text":" more at short wavelengths.","thought":true}]}}]}`,
			`{"candidates":[{"content":{"role":"model","parts":[{"text":"Rayleigh "}]}}]}`,
			`{"candidates":[{"content":{"role":"model","parts":[{"text":"scattering."}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":3,"thoughtsTokenCount":9,"totalTokenCount":17}}`)
	})
	for _, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-pro", genai.Text("Why?"), nil) {
		require.NoError(t, err)
	}
	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{
		map[string]any{"text": "Light scatters more at short wavelengths.", "thought": true},
		map[string]any{"text": "Rayleigh scattering."},
	}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 5, "output": 3, "output_reasoning": 9, "total": 17}, llmtest.UsageOf(t, g))
	assert.Equal(t, "gemini-2.5-pro", g.Attr(semconv.ObservationModel))
}

func TestStreamAbandonedByTheConsumer(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, streamChunks[0])
		<-r.Context().Done() // the rest never comes: the client goes away first
	})
	n := 0
	for resp, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Why?"), nil) {
		require.NoError(t, err)
		assert.Equal(t, "The sky", resp.Text())
		n++
		break
	}
	require.Equal(t, 1, n)
	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "WARNING", g.Level)
	assert.Contains(t, g.StatusMessage, "closed by the caller")
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{map[string]any{"text": "The sky"}}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 9, "total": 9}, llmtest.UsageOf(t, g), "the usage seen so far")
}

func TestStreamClosedAfterItsLastChunk(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, streamChunks...)
		<-r.Context().Done() // the server holds the connection open after the end
	})
	for resp, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Why?"), nil) {
		require.NoError(t, err)
		if len(resp.Candidates) > 0 && resp.Candidates[0].FinishReason != "" {
			break
		}
	}
	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Empty(t, g.Level, "a stream closed after its finish reason is whole")
	assert.Contains(t, g.Output, "The sky is blue by day.")
}

func TestStreamCutByTheServer(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, streamChunks[:2]...)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close() // mid-stream: the chunked body never ends
		}
	})
	var errs []error
	for _, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Why?"), nil) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	require.NotEmpty(t, errs, "the SDK sees the connection fail")
	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "ERROR", g.Level)
	assert.Contains(t, g.StatusMessage, "reading the response")
	assert.Contains(t, g.Output, "The sky is blue")
}

func TestStreamEndedWithoutItsLastChunk(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, streamChunks[:2]...) // and returns: a clean end with no finish reason
	})
	for _, err := range newClient(t, srv).Models.GenerateContentStream(ctx, "gemini-2.5-flash", genai.Text("Why?"), nil) {
		require.NoError(t, err)
	}
	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Equal(t, "WARNING", g.Level)
	assert.Contains(t, g.StatusMessage, "before its final event")
	assert.Contains(t, g.Output, "The sky is blue")
}

// TestStreamAsAJSONArray: without alt=sse, streamGenerateContent answers
// a JSON array of responses, recorded whole at its end.
func TestStreamAsAJSONArray(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	body := "[" + strings.Join(streamChunks, ",\r\n") + "]"
	srv := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) { llmtest.WriteJSON(w, 200, body) })
	hc := &http.Client{Transport: langfusegenai.NewTransport(nil)}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		srv.URL+"/v1beta/models/gemini-2.5-flash:streamGenerateContent",
		strings.NewReader(`{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}`))
	require.NoError(t, err)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, body, string(got))

	g := llmtest.Find(t, rec, "genai.streamGenerateContent")
	assert.Empty(t, g.Level)
	assert.Equal(t, map[string]any{"role": "model", "parts": []any{map[string]any{"text": "The sky is blue by day."}}}, outputOf(t, g))
	assert.Equal(t, map[string]int{"input": 9, "output": 5, "total": 14}, llmtest.UsageOf(t, g))
	assert.Equal(t, "gemini-2.5-flash-001", g.Attr(semconv.ObservationModel))
}
