package langfuseopenai_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

func chatParams() openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    openai.ChatModelGPT4oMini,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Capital of France?")},
	}
}

func TestAPIError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status  int
		body    string
		message string
	}{
		{400, `{"error":{"message":"Invalid value for 'temperature': must be between 0 and 2.","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}`,
			"Invalid value for 'temperature': must be between 0 and 2."},
		{401, `{"error":{"message":"Incorrect API key provided: sk-test-****2d. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`,
			"Incorrect API key provided: sk-test-****2d. You can find your API key at https://platform.openai.com/account/api-keys."},
		{500, `{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}`,
			"The server had an error while processing your request. Sorry about that!"},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			ctx, rec := langfusetest.New(t)
			api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.JSON(tc.status, tc.body)}))
			client := newClient(api, 0)

			_, err := client.Chat.Completions.New(ctx, chatParams())
			var apiErr *openai.Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.message, apiErr.Message, "the SDK read the error body intact")
			var body struct{ Error json.RawMessage }
			require.NoError(t, json.Unmarshal([]byte(tc.body), &body))
			assert.JSONEq(t, string(body.Error), apiErr.RawJSON())

			gen := llmtest.Find(t, rec, "openai.chat.completions")
			assert.True(t, gen.Failed(), "level %q", gen.Level)
			assert.Equal(t, fmt.Sprintf("%d %s: %s", tc.status, http.StatusText(tc.status), tc.message), gen.StatusMessage)
			assert.Equal(t, "gpt-4o-mini", gen.Attr(semconv.ObservationModel), "the request's model when no response names one")
			assert.NotEmpty(t, gen.Input)
			llmtest.AssertNoSecret(t, rec, apiKey)
		})
	}
}

// TestRateLimitRetry: each attempt of a retried call is an HTTP request
// of its own, and so an observation of its own.
func TestRateLimitRetry(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var calls atomic.Int32
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After-Ms", "0")
			llmtest.WriteJSON(w, http.StatusTooManyRequests, `{"error":{"message":"Rate limit reached for gpt-4o-mini in organization org-1 on requests per min (RPM): Limit 3, Used 3, Requested 1.","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)
			return
		}
		llmtest.WriteJSON(w, http.StatusOK, chatCompletion)
	}}))
	client := newClient(api, 2)

	ctx, parent := observe.Start(ctx, "parent")
	got, err := client.Chat.Completions.New(ctx, chatParams())
	parent.End()
	require.NoError(t, err)
	assert.Equal(t, "Paris is the capital of France.", got.Choices[0].Message.Content)
	assert.Equal(t, int32(2), calls.Load())

	var gens []langfusetest.Observation
	for _, o := range rec.Observations() {
		if o.Name == "openai.chat.completions" {
			gens = append(gens, o)
		}
	}
	require.Len(t, gens, 2, "one observation per attempt")
	p := llmtest.Find(t, rec, "parent")
	assert.True(t, gens[0].Failed())
	assert.Contains(t, gens[0].StatusMessage, "429 Too Many Requests: Rate limit reached for gpt-4o-mini")
	assert.Equal(t, "DEFAULT", levelOf(gens[1]))
	assert.Equal(t, 1280, llmtest.UsageOf(t, gens[1])["total"])
	for _, g := range gens {
		assert.Equal(t, p.ID, g.ParentID)
	}
}

// TestStreamAbandoned: a consumer that stops after the first chunk and
// closes the stream ends the observation at WARNING with what arrived.
func TestStreamAbandoned(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": func(w http.ResponseWriter, r *http.Request) {
		llmtest.WriteEventStreamHead(w)
		_, _ = fmt.Fprint(w, chatStream[0], chatStream[1])
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the rest never comes; the client hangs up
	}}))
	client := newClient(api, 0)

	stream := client.Chat.Completions.NewStreaming(ctx, chatParams())
	require.True(t, stream.Next())
	require.True(t, stream.Next())
	assert.Equal(t, "Paris", stream.Current().Choices[0].Delta.Content)
	require.NoError(t, stream.Close())

	gen := llmtest.Find(t, rec, "openai.chat.completions")
	assert.Equal(t, "WARNING", gen.Level)
	assert.Contains(t, gen.StatusMessage, "closed")
	assert.JSONEq(t, `{"role":"assistant","content":"Paris"}`, gen.Output)
	completionStart(t, gen)
}

// TestStreamCut: a stream the server cuts short ends its observation with
// the partial output; nothing hangs.
func TestStreamCut(t *testing.T) {
	t.Parallel()
	t.Run("connection closed", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(err)
			}
			defer conn.Close()
			writeChunked(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n", chatStream[0], chatStream[1])
			// No terminating chunk: the connection just closes.
		}}))
		client := newClient(api, 0)

		stream := client.Chat.Completions.NewStreaming(ctx, chatParams())
		for stream.Next() {
		}
		require.Error(t, stream.Err())
		_ = stream.Close()

		gen := llmtest.Find(t, rec, "openai.chat.completions")
		assert.True(t, gen.Failed(), "level %q", gen.Level)
		assert.Contains(t, gen.StatusMessage, "unexpected EOF")
		assert.JSONEq(t, `{"role":"assistant","content":"Paris"}`, gen.Output)
	})
	t.Run("no final event", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.EventStream(chatStream[0], chatStream[1], chatStream[2])}))
		client := newClient(api, 0)

		stream := client.Chat.Completions.NewStreaming(ctx, chatParams())
		for stream.Next() {
		}
		require.NoError(t, stream.Err(), "the SDK takes the end of the body for the end of the stream")
		_ = stream.Close()

		gen := llmtest.Find(t, rec, "openai.chat.completions")
		assert.Equal(t, "WARNING", gen.Level)
		assert.Contains(t, gen.StatusMessage, "final event")
		assert.JSONEq(t, `{"role":"assistant","content":"Paris is the"}`, gen.Output)
	})
}

func writeChunked(w *bufio.ReadWriter, head string, chunks ...string) {
	_, _ = w.WriteString(head)
	for _, c := range chunks {
		_, _ = fmt.Fprintf(w, "%x\r\n%s\r\n", len(c), c)
	}
	_ = w.Flush()
}

// TestStreamErrorEvent: an error the API sends inside a stream.
func TestStreamErrorEvent(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": llmtest.EventStream(chatStream[0], chatStream[1],
		data(`{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`))}))
	client := newClient(api, 0)

	stream := client.Chat.Completions.NewStreaming(ctx, chatParams())
	for stream.Next() {
	}
	var streamErr interface{ Error() string }
	require.Error(t, stream.Err())
	streamErr = stream.Err()
	assert.Contains(t, streamErr.Error(), "The server had an error")
	_ = stream.Close()

	gen := llmtest.Find(t, rec, "openai.chat.completions")
	assert.True(t, gen.Failed())
	assert.Equal(t, "The server had an error while processing your request.", gen.StatusMessage)
	assert.JSONEq(t, `{"role":"assistant","content":"Paris"}`, gen.Output)
	assert.False(t, errors.Is(stream.Err(), nil))
}

// TestProxyPageWithTheKey: a 2xx answer that is not JSON, a proxy's page
// that quotes the key, is recorded as text with the key taken out, also
// where the text is cut for the record.
func TestProxyPageWithTheKey(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	page := "<html><body>" + strings.Repeat("x", 4096-20) + apiKey + " over quota</body></html>"
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/v1/chat/completions": func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, page)
	}}))
	client := newClient(api, 0)
	_, err := client.Chat.Completions.New(ctx, chatParams())
	require.Error(t, err, "the SDK cannot read it either")
	gen := llmtest.Find(t, rec, "openai.chat.completions")
	assert.True(t, strings.HasPrefix(gen.Output, "<html><body>xxx"), "recorded as text")
	llmtest.AssertNoSecret(t, rec, apiKey, apiKey[:8])
}
