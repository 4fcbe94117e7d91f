package langfuseopenai_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// TestConcurrentCalls: calls in parallel goroutines each get their own
// observation with their own output.
func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n := strings.Count(string(body), "!") // the caller's number
		if strings.Contains(string(body), `"stream":true`) {
			llmtest.EventStream(
				data(`{"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"answer "},"finish_reason":null}]}`),
				data(fmt.Sprintf(`{"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"%d"},"finish_reason":"stop"}]}`, n)),
				data(`[DONE]`))(w, r)
			return
		}
		llmtest.WriteJSON(w, 200, fmt.Sprintf(`{"id":"c","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"answer %d"},"finish_reason":"stop"}],"usage":{"prompt_tokens":%d,"completion_tokens":1,"total_tokens":%d}}`, n, n, n+1))
	}}))
	client := newClient(api, 0)

	const callers = 8
	var wg sync.WaitGroup
	for i := 1; i <= callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, o := observe.Start(ctx, fmt.Sprintf("caller-%d", i))
			defer o.End()
			params := openai.ChatCompletionNewParams{
				Model:    openai.ChatModelGPT4oMini,
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(strings.Repeat("!", i))},
			}
			if i%2 == 0 {
				stream := client.Chat.Completions.NewStreaming(ctx, params)
				for stream.Next() {
				}
				assert.NoError(t, stream.Err())
				return
			}
			got, err := client.Chat.Completions.New(ctx, params)
			if assert.NoError(t, err) {
				assert.Equal(t, fmt.Sprintf("answer %d", i), got.Choices[0].Message.Content)
			}
		}()
	}
	wg.Wait()

	byID := map[string]langfusetest.Observation{}
	for _, o := range rec.Observations() {
		byID[o.ID] = o
	}
	seen := 0
	for _, o := range rec.Observations() {
		if o.Name != "openai.chat.completions" {
			continue
		}
		seen++
		var i int
		_, err := fmt.Sscanf(byID[o.ParentID].Name, "caller-%d", &i)
		require.NoError(t, err, "parent of %s", o.ID)
		assert.Contains(t, o.Output, fmt.Sprintf("answer %d", i))
		assert.Contains(t, o.Input, strings.Repeat("!", i)+`"`)
		assert.Equal(t, "DEFAULT", levelOf(o), o.StatusMessage)
	}
	assert.Equal(t, callers, seen)
}

// TestTracingDisabled: with no client in the context, or a disabled one,
// the transport passes the call through and records nothing.
func TestTracingDisabled(t *testing.T) {
	t.Parallel()
	rec := langfusetest.NewRecorder()
	cfg := config.Default()
	cfg.TracingEnabled = false
	lf, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.AsDefault(false), langfuse.WithSpanExporter(rec))
	require.NoError(t, err)
	t.Cleanup(func() { _ = lf.Shutdown(context.Background()) })

	for name, ctx := range map[string]context.Context{
		"no client":       context.Background(),
		"disabled client": lf.Context(context.Background()),
	} {
		t.Run(name, func(t *testing.T) {
			api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.EventStream(chatStream...)}))
			client := newClient(api, 0)
			stream := client.Chat.Completions.NewStreaming(ctx, chatParams())
			var text string
			for stream.Next() {
				if c := stream.Current(); len(c.Choices) > 0 {
					text += c.Choices[0].Delta.Content
				}
			}
			require.NoError(t, stream.Err())
			assert.Equal(t, "Paris is the capital.", text)
			assert.Len(t, api.Requests(), 1)
		})
	}
	assert.Empty(t, rec.Observations())
}

// TestCaptureOff: the capture switches given to the transport keep the
// input and output out, while model and usage stay.
func TestCaptureOff(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{
		"/v1/chat/completions": llmtest.JSON(200, chatCompletion),
		"/v1/responses":        llmtest.EventStream(responsesStream...),
	}))
	client := newClient(api, 0, langfuseopenai.WithObservationOptions(observe.CaptureInput(false), observe.CaptureOutput(false)),
		langfuseopenai.WithObservationOptions(observe.WithMetadata(map[string]any{"feature": "search"}), observe.WithVersion("v7")))

	_, err := client.Chat.Completions.New(ctx, chatParams())
	require.NoError(t, err)
	stream := client.Responses.NewStreaming(ctx, responsesParams("Say hi"))
	for stream.Next() {
	}
	require.NoError(t, stream.Err())

	for _, name := range []string{"openai.chat.completions", "openai.responses"} {
		gen := llmtest.Find(t, rec, name)
		assert.Empty(t, gen.Attr(semconv.ObservationInput), name)
		assert.Empty(t, gen.Attr(semconv.ObservationOutput), name)
		assert.NotEmpty(t, gen.Attr(semconv.ObservationModel), name)
		assert.NotEmpty(t, llmtest.UsageOf(t, gen), name)
		assert.Equal(t, "search", gen.Metadata["feature"].String(), "the transport's options apply")
		assert.Equal(t, "v7", gen.Attr("langfuse.version"))
	}
}

// TestOperations: which requests are model calls, and the Azure
// deployment standing for the model when the body names none.
func TestOperations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, path, body string
		name, model        string
	}{
		{"POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[]}`, "openai.chat.completions", "gpt-4o"},
		{"POST", "/v1/chat/completions/", `{"model":"gpt-4o","messages":[]}`, "openai.chat.completions", "gpt-4o"},
		{"POST", "/openai/deployments/my-deploy/chat/completions", `{"messages":[]}`, "openai.chat.completions", "my-deploy"},
		{"POST", "/openai/deployments/my-deploy/chat/completions", `{"model":"gpt-4o","messages":[]}`, "openai.chat.completions", "gpt-4o"},
		{"POST", "/openai/deployments/emb/embeddings", `{"input":"x"}`, "openai.embeddings", "emb"},
		{"POST", "/api/v1/responses", `{"model":"llama3","input":"x"}`, "openai.responses", "llama3"},
		{"POST", "/embeddings", `{"model":"nomic-embed-text","input":"x"}`, "openai.embeddings", "nomic-embed-text"},
		{"GET", "/v1/responses", ``, "", ""},
		{"GET", "/v1/models", ``, "", ""},
		{"POST", "/v1/responses/resp_1/cancel", `{}`, "", ""},
		{"POST", "/v1/files", `{}`, "", ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			t.Parallel()
			ctx, rec := langfusetest.New(t)
			srv := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{tc.path: llmtest.JSON(200, `{"object":"list"}`)}))
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, err := http.NewRequestWithContext(ctx, tc.method, srv.URL+tc.path+"?api-version=2024-10-21", body)
			require.NoError(t, err)
			resp, err := (&http.Client{Transport: langfuseopenai.NewTransport(nil)}).Do(req)
			require.NoError(t, err)
			got, _ := io.ReadAll(resp.Body)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, `{"object":"list"}`, string(got))

			obs := rec.Observations()
			if tc.name == "" {
				assert.Empty(t, obs)
				return
			}
			require.Len(t, obs, 1)
			assert.Equal(t, tc.name, obs[0].Name)
			assert.Equal(t, tc.model, obs[0].Attr(semconv.ObservationModel))
		})
	}
}
