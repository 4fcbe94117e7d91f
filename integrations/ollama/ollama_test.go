package langfuseollama_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ollama/ollama/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	langfuseollama "github.com/observe-go/langfuse/integrations/ollama"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

func chatRequest(stream bool) *api.ChatRequest {
	return &api.ChatRequest{
		Model:    "llama3.2",
		Messages: []api.Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Say hello."}},
		Stream:   &stream,
		Options:  map[string]any{"temperature": 0.2, "num_ctx": 4096},
	}
}

// A chat answered whole is a generation with the model, the messages,
// the answer, the usage in Langfuse's keys, and the timings as metadata,
// under the caller's observation; the client gets the answer unchanged.
func TestChatWhole(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	fake := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/api/chat": chatAPI}))
	client := newClient(t, fake.URL, langfuseollama.WithObservationOptions(observe.WithMetadata(map[string]any{"feature": "hello"})))

	ctx, parent := observe.Start(ctx, "parent")
	var got []api.ChatResponse
	err := client.Chat(ctx, chatRequest(false), func(r api.ChatResponse) error { got = append(got, r); return nil })
	parent.End()
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "Hello, "+secret+" world.", got[0].Message.Content, "the client's answer is unchanged")
	assert.Equal(t, 9, got[0].EvalCount)

	gen := llmtest.Find(t, rec, "ollama.chat")
	assert.Equal(t, "generation", gen.Type)
	assert.Equal(t, llmtest.Find(t, rec, "parent").ID, gen.ParentID)
	assert.Equal(t, "llama3.2", gen.Model)
	assert.Equal(t, map[string]int{"input": 26, "output": 9, "total": 35}, gen.Usage)
	assert.InDelta(t, 0.2, gen.ModelParameters["temperature"], 1e-6)
	assert.EqualValues(t, 4096, gen.ModelParameters["num_ctx"])
	assert.Equal(t, false, gen.ModelParameters["stream"])
	assert.JSONEq(t, `[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello."}]`, gen.Input)
	assert.JSONEq(t, `{"role":"assistant","content":"Hello, [REDACTED] world."}`, gen.Output)
	assert.Equal(t, "stop", gen.Metadata["done_reason"].AsString())
	assert.Equal(t, int64(5000000000), gen.Metadata["total_duration"].AsInt64())
	assert.Equal(t, int64(1000000), gen.Metadata["load_duration"].AsInt64())
	assert.Equal(t, int64(130000000), gen.Metadata["prompt_eval_duration"].AsInt64())
	assert.Equal(t, int64(250000000), gen.Metadata["eval_duration"].AsInt64())
	assert.Equal(t, "hello", gen.Metadata["feature"].AsString())
	assert.True(t, gen.CompletionStart.IsZero(), "no stream, no completion start")
	assert.Empty(t, gen.Level)
	llmtest.AssertNoSecret(t, rec, secret)
}

// A streamed chat is followed line by line: the text is accumulated, the
// usage and timings come from the last line, and the completion start is
// the arrival of the first line.
func TestChatStream(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	fake := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/api/chat": chatAPI}))
	client := newClient(t, fake.URL)

	var text strings.Builder
	err := client.Chat(ctx, chatRequest(true), func(r api.ChatResponse) error {
		text.WriteString(r.Message.Content)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, "Hello, "+secret+" world.", text.String())

	gen := llmtest.Find(t, rec, "ollama.chat")
	assert.Equal(t, "llama3.2", gen.Model)
	assert.JSONEq(t, `{"role":"assistant","content":"Hello, [REDACTED] world."}`, gen.Output)
	assert.Equal(t, map[string]int{"input": 26, "output": 9, "total": 35}, gen.Usage)
	assert.Equal(t, int64(250000000), gen.Metadata["eval_duration"].AsInt64())
	assert.Equal(t, "stop", gen.Metadata["done_reason"].AsString())
	assert.False(t, gen.CompletionStart.IsZero(), "time to first token")
	assert.Empty(t, gen.Level)
	llmtest.AssertNoSecret(t, rec, secret)
}

// Tool calls of a streamed chat are recorded in the output message.
func TestChatStreamToolCalls(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	fake := llmtest.NewFakeAPI(t, ndjson(
		`{"model":"qwen3","message":{"role":"assistant","content":"","thinking":"Weather needed."},"done":false}`,
		`{"model":"qwen3","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Lisbon"}}}]},"done":false}`,
		`{"model":"qwen3","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":4}`,
	))
	client := newClient(t, fake.URL)
	var calls int
	require.NoError(t, client.Chat(ctx, chatRequest(true), func(r api.ChatResponse) error {
		calls += len(r.Message.ToolCalls)
		return nil
	}))
	assert.Equal(t, 1, calls)
	gen := llmtest.Find(t, rec, "ollama.chat")
	assert.JSONEq(t, `{"role":"assistant","content":"","thinking":"Weather needed.",
		"tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Lisbon"}}}]}`, gen.Output)
	assert.Equal(t, map[string]int{"input": 3, "output": 4, "total": 7}, gen.Usage)
}

// A generate call, whole and streamed, records the system prompt and the
// prompt as messages and the text as the output.
func TestGenerate(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	fake := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/api/generate": func(w http.ResponseWriter, r *http.Request) {
		if streamOf(r) {
			ndjson(
				`{"model":"llama3.2","response":"Blue","done":false}`,
				`{"model":"llama3.2","response":" sky.","done":false}`,
				`{"model":"llama3.2","response":"","done":true,"done_reason":"stop","context":[1,2,3],`+metricsJSON+`}`,
			)(w, r)
			return
		}
		llmtest.WriteJSON(w, http.StatusOK, `{"model":"llama3.2","response":"Blue sky.","done":true,"done_reason":"stop","context":[1,2,3],`+metricsJSON+`}`)
	}}))
	client := newClient(t, fake.URL)
	for _, stream := range []bool{false, true} {
		var text strings.Builder
		require.NoError(t, client.Generate(ctx, &api.GenerateRequest{
			Model: "llama3.2", System: "Answer in two words.", Prompt: "What colour is the sky?", Stream: &stream,
		}, func(r api.GenerateResponse) error { text.WriteString(r.Response); return nil }))
		assert.Equal(t, "Blue sky.", text.String())
	}
	gens := llmtest.Named(rec, "ollama.generate")
	require.Len(t, gens, 2)
	for i, gen := range gens {
		assert.Equal(t, "generation", gen.Type)
		assert.Equal(t, "llama3.2", gen.Model)
		assert.JSONEq(t, `[{"role":"system","content":"Answer in two words."},{"role":"user","content":"What colour is the sky?"}]`, gen.Input)
		assert.Equal(t, "Blue sky.", gen.Output)
		assert.Equal(t, map[string]int{"input": 26, "output": 9, "total": 35}, gen.Usage)
		assert.Equal(t, int64(5000000000), gen.Metadata["total_duration"].AsInt64())
		assert.Equal(t, i == 1, !gen.CompletionStart.IsZero(), "completion start for the stream only")
		assert.NotContains(t, gen.Output+gen.Input, "[1,2,3]", "the context's token ids are not recorded")
	}
}

// An embed call is an embedding observation with the input, the number
// and size of the vectors (not the vectors) and the input tokens.
func TestEmbed(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	fake := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/api/embed": llmtest.JSON(http.StatusOK,
		`{"model":"all-minilm","embeddings":[[0.1,0.2,0.3],[0.4,0.5,0.6]],"total_duration":14143917,"load_duration":1019500,"prompt_eval_count":8}`)}))
	client := newClient(t, fake.URL)
	resp, err := client.Embed(ctx, &api.EmbedRequest{Model: "all-minilm", Input: []string{"Why is the sky blue?", "Why is grass green?"}, Dimensions: 3})
	require.NoError(t, err)
	require.Len(t, resp.Embeddings, 2)

	emb := llmtest.Find(t, rec, "ollama.embed")
	assert.Equal(t, "embedding", emb.Type)
	assert.Equal(t, "all-minilm", emb.Model)
	assert.JSONEq(t, `["Why is the sky blue?","Why is grass green?"]`, emb.Input)
	assert.JSONEq(t, `{"embeddings":2,"dimensions":3}`, emb.Output)
	assert.Equal(t, map[string]int{"input": 8, "total": 8}, emb.Usage)
	assert.EqualValues(t, 3, emb.ModelParameters["dimensions"])
	assert.Equal(t, int64(14143917), emb.Metadata["total_duration"].AsInt64())
	assert.Empty(t, emb.Level)
}

// An error answer ({"error": "..."} with a 4xx or 5xx) is recorded at level
// ERROR with Ollama's message, and the client gets the error it would
// get without the transport.
func TestErrorAnswer(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	body := `{"error":"model \"nope\" not found, try pulling it first (key ` + secret + `)"}`
	fake := llmtest.NewFakeAPI(t, llmtest.JSON(http.StatusNotFound, body))
	client := newClient(t, fake.URL)

	chatErr := client.Chat(ctx, chatRequest(true), func(api.ChatResponse) error { return nil })
	_, embedErr := client.Embed(ctx, &api.EmbedRequest{Model: "nope", Input: "x"})

	raw := api.NewClient(mustURL(t, fake.URL), &http.Client{Transport: withKey(http.DefaultTransport)})
	wantChat := raw.Chat(context.Background(), chatRequest(true), func(api.ChatResponse) error { return nil })
	_, wantEmbed := raw.Embed(context.Background(), &api.EmbedRequest{Model: "nope", Input: "x"})
	assert.Equal(t, wantChat, chatErr, "the client's error is unchanged")
	assert.Equal(t, wantEmbed, embedErr)
	var se api.StatusError
	require.ErrorAs(t, chatErr, &se)
	assert.Equal(t, http.StatusNotFound, se.StatusCode)

	for _, name := range []string{"ollama.chat", "ollama.embed"} {
		o := llmtest.Find(t, rec, name)
		assert.Equal(t, "ERROR", o.Level)
		assert.Contains(t, o.StatusMessage, `404 Not Found: model "nope" not found, try pulling it first`)
	}
	llmtest.AssertNoSecret(t, rec, secret)
}

// An error line in the middle of a stream ends the generation at level
// ERROR with its message and what had arrived before it, as the client
// fails with it.
func TestStreamErrorLine(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	fake := llmtest.NewFakeAPI(t, ndjson(chatLines[0], `{"error":"an error was encountered while running the model: `+secret+`"}`))
	client := newClient(t, fake.URL)
	err := client.Chat(ctx, chatRequest(true), func(api.ChatResponse) error { return nil })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "an error was encountered while running the model")

	gen := llmtest.Find(t, rec, "ollama.chat")
	assert.Equal(t, "ERROR", gen.Level)
	assert.Equal(t, "an error was encountered while running the model: [REDACTED]", gen.StatusMessage)
	assert.JSONEq(t, `{"role":"assistant","content":"Hello"}`, gen.Output)
	llmtest.AssertNoSecret(t, rec, secret)
}

// A stream the server ends before its last line, and one the caller stops
// reading (the client's callback fails, and it closes the body), are
// recorded at level WARNING with what had arrived.
func TestStreamCutShort(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	fake := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{
		"/short/api/chat": ndjson(chatLines[:2]...),
		// One line, then nothing until the caller hangs up.
		"/api/chat": func(w http.ResponseWriter, r *http.Request) {
			ndjson(chatLines[0])(w, r)
			<-r.Context().Done()
		},
	}))
	require.NoError(t, newClient(t, fake.URL+"/short").Chat(ctx, chatRequest(true), func(api.ChatResponse) error { return nil }))

	stop := errors.New("enough")
	err := newClient(t, fake.URL).Chat(ctx, chatRequest(true), func(api.ChatResponse) error { return stop })
	require.ErrorIs(t, err, stop)

	gens := llmtest.Named(rec, "ollama.chat")
	require.Len(t, gens, 2)
	assert.Equal(t, "WARNING", gens[0].Level)
	assert.Equal(t, "stream ended before its final event", gens[0].StatusMessage)
	assert.JSONEq(t, `{"role":"assistant","content":"Hello, [REDACTED]"}`, gens[0].Output)
	assert.Nil(t, gens[0].Usage)
	assert.Equal(t, "WARNING", gens[1].Level)
	assert.Equal(t, "stream closed by the caller before it ended", gens[1].StatusMessage)
	llmtest.AssertNoSecret(t, rec, secret)
}

// A stream whose request's context the caller cancels after the first
// line is recorded at level WARNING with what had arrived: the caller hung
// up, which is no failure of the call.
func TestStreamCanceled(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	fake := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		ndjson(chatLines[0])(w, r)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := newClient(t, fake.URL).Chat(ctx, chatRequest(true), func(api.ChatResponse) error {
		cancel()
		return nil
	})
	// Ollama's client ends its loop on the read error without returning
	// it; the transport hands on what the client would get without it.
	require.NoError(t, err)

	gen := llmtest.Find(t, rec, "ollama.chat")
	assert.Equal(t, "WARNING", gen.Level)
	assert.Equal(t, "request canceled by the caller before the answer ended", gen.StatusMessage)
	assert.JSONEq(t, `{"role":"assistant","content":"Hello"}`, gen.Output)
}

// A streamed body the caller drops without reading it to its end or
// closing it is recorded at level WARNING, with what was read, when it is
// garbage-collected. (The base is in memory: a connection's own
// goroutines keep a body of net/http reachable.)
func TestStreamAbandoned(t *testing.T) {
	ctx, rec, ended := llmtest.SignallingContext(t)
	rt := langfuseollama.NewTransport(llmtest.Static("application/x-ndjson", strings.Join(chatLines, "\n")+"\n"))
	func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:11434/api/chat", strings.NewReader(`{"model":"llama3.2","messages":[]}`))
		require.NoError(t, err)
		resp, err := rt.RoundTrip(req)
		require.NoError(t, err)
		buf := make([]byte, len(chatLines[0])+1)
		_, err = io.ReadFull(resp.Body, buf)
		require.NoError(t, err)
		runtime.KeepAlive(resp)
	}()
	require.True(t, llmtest.CollectUntil(ended, 1000), "the generation ended when the body was collected")
	gen := llmtest.Find(t, rec, "ollama.chat")
	assert.Equal(t, "WARNING", gen.Level)
	assert.Contains(t, gen.StatusMessage, "garbage-collected")
	assert.JSONEq(t, `{"role":"assistant","content":"Hello"}`, gen.Output)
}

// Eight calls at once, whole and streamed, each recorded as its own
// generation with its own answer.
func TestConcurrentCalls(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	fake := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{"/api/chat": chatAPI}))
	client := newClient(t, fake.URL)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			ctx, span := observe.Start(ctx, "call")
			defer span.End()
			errs <- client.Chat(ctx, chatRequest(i%2 == 0), func(api.ChatResponse) error { return nil })
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	gens := llmtest.Named(rec, "ollama.chat")
	require.Len(t, gens, 8)
	parents := map[string]bool{}
	for _, g := range gens {
		assert.JSONEq(t, `{"role":"assistant","content":"Hello, [REDACTED] world."}`, g.Output)
		assert.Equal(t, map[string]int{"input": 26, "output": 9, "total": 35}, g.Usage)
		assert.Empty(t, g.Level)
		parents[g.ParentID] = true
	}
	assert.Len(t, parents, 8, "each under its own caller")
	llmtest.AssertNoSecret(t, rec, secret)
}

// Requests that are no model calls pass through unrecorded, and so does
// every request while tracing is off.
func TestPassThrough(t *testing.T) {
	fake := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{
		"/api/tags": llmtest.JSON(http.StatusOK, `{"models":[{"name":"llama3.2"}]}`),
		"/api/chat": chatAPI,
	}))
	ctx, rec := langfusetest.New(t)
	list, err := newClient(t, fake.URL).List(ctx)
	require.NoError(t, err)
	require.Len(t, list.Models, 1)
	assert.Empty(t, rec.Observations())

	off, offRec := llmtest.DisabledContext(t)
	require.NoError(t, newClient(t, fake.URL).Chat(off, chatRequest(true), func(api.ChatResponse) error { return nil }))
	assert.Empty(t, offRec.Observations())
}
