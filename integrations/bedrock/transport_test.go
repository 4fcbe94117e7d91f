package langfusebedrock_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	langfusebedrock "github.com/observe-go/langfuse/integrations/bedrock"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

const (
	converseName = "bedrock.converse"
	invokeName   = "bedrock.invoke_model"
)

func TestConverse(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.JSON(200, converseJSON))
	client := newClient(api.URL)

	ctx, parent := observe.Start(ctx, "answer")
	out, err := client.Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId:  aws.String(haiku),
		Messages: userMessage("Hello"),
		System:   []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: "Be brief."}},
		InferenceConfig: &types.InferenceConfiguration{
			MaxTokens: aws.Int32(256), Temperature: aws.Float32(0.5), StopSequences: []string{"END"},
		},
		RequestMetadata: map[string]string{"team": "search"},
	})
	parent.End()
	require.NoError(t, err)
	assert.Equal(t, "Hello! How can I help?", out.Output.(*types.ConverseOutputMemberMessage).Value.Content[0].(*types.ContentBlockMemberText).Value,
		"the SDK reads the answer as sent")
	require.Len(t, api.Requests(), 1)
	assert.Equal(t, "/model/"+haiku+"/converse", api.Requests()[0].Path)

	gen := llmtest.Find(t, rec, converseName)
	p, ok := rec.Find("answer")
	require.True(t, ok)
	assert.Equal(t, "generation", gen.Type)
	assert.Equal(t, p.ID, gen.ParentID)
	assert.Equal(t, haiku, gen.Attr(semconv.ObservationModel), "the model of the URL path")
	assert.Empty(t, gen.Level)
	assert.Equal(t, map[string]any{"maxTokens": float64(256), "temperature": 0.5, "stopSequences": []any{"END"}},
		llmtest.ParamsOf(t, gen))
	assert.Equal(t, []any{
		map[string]any{"role": "system", "content": []any{map[string]any{"text": "Be brief."}}},
		map[string]any{"role": "user", "content": []any{map[string]any{"text": "Hello"}}},
	}, llmtest.JSONOf(t, gen.Input))
	assert.Equal(t, map[string]any{"role": "assistant", "content": []any{map[string]any{"text": "Hello! How can I help?"}}},
		llmtest.JSONOf(t, gen.Output))
	assert.Equal(t, map[string]int{"input": 12, "output": 7, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 25, "total": 144},
		llmtest.UsageOf(t, gen))
	assert.Equal(t, "end_turn", gen.Metadata["stop_reason"].AsString())
	assert.Equal(t, "321", gen.Metadata["latency_ms"].String())
	assert.JSONEq(t, `{"team":"search"}`, gen.Metadata["request_metadata"].AsString())
	assert.Empty(t, gen.Attr(semconv.ObservationCompletionStartTime), "no stream, no completion start")
}

// TestConverseModelARN: a model id with ":" and "/" (an inference
// profile's ARN), which the SDK escapes into one path segment, is
// recorded as the caller gave it.
func TestConverseModelARN(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.JSON(200, converseJSON))
	const arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0"
	_, err := newClient(api.URL).Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String(arn), Messages: userMessage("Hi")})
	require.NoError(t, err)
	assert.Equal(t, arn, llmtest.Find(t, rec, converseName).Attr(semconv.ObservationModel))
}

func TestConverseToolUse(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.JSON(200, converseToolJSON))
	out, err := newClient(api.URL).Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId: aws.String(haiku), Messages: userMessage("Weather in Seattle?"),
		ToolConfig: weatherTools(),
	})
	require.NoError(t, err)
	assert.Equal(t, types.StopReasonToolUse, out.StopReason)

	gen := llmtest.Find(t, rec, converseName)
	tc := llmtest.ParamsOf(t, gen)["toolConfig"].(map[string]any)
	spec := tc["tools"].([]any)[0].(map[string]any)["toolSpec"].(map[string]any)
	assert.Equal(t, "get_weather", spec["name"])
	assert.Equal(t, map[string]any{"auto": map[string]any{}}, tc["toolChoice"])
	content := llmtest.JSONOf(t, gen.Output).(map[string]any)["content"].([]any)
	require.Len(t, content, 2)
	assert.Equal(t, map[string]any{"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "name": "get_weather", "input": map[string]any{"city": "Seattle"}},
		content[1].(map[string]any)["toolUse"])
	assert.Equal(t, "tool_use", gen.Metadata["stop_reason"].AsString())
	assert.Equal(t, map[string]int{"input": 400, "output": 60, "total": 460}, llmtest.UsageOf(t, gen))
}

func weatherTools() *types.ToolConfiguration {
	return &types.ToolConfiguration{
		Tools: []types.Tool{&types.ToolMemberToolSpec{Value: types.ToolSpecification{
			Name: aws.String("get_weather"), Description: aws.String("The weather in a city"),
			InputSchema: &types.ToolInputSchemaMemberJson{Value: document.NewLazyDocument(map[string]any{
				"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}},
			})},
		}}},
		ToolChoice: &types.ToolChoiceMemberAuto{},
	}
}

// readConverseStream reads a ConverseStream answer to its end as a caller
// does, and returns the text and tool input it came to.
func readConverseStream(t *testing.T, out *bedrockruntime.ConverseStreamOutput) (text, toolInput string) {
	t.Helper()
	stream := out.GetStream()
	defer stream.Close()
	for ev := range stream.Events() {
		if d, ok := ev.(*types.ConverseStreamOutputMemberContentBlockDelta); ok {
			switch v := d.Value.Delta.(type) {
			case *types.ContentBlockDeltaMemberText:
				text += v.Value
			case *types.ContentBlockDeltaMemberToolUse:
				toolInput += aws.ToString(v.Value.Input)
			}
		}
	}
	require.NoError(t, stream.Err())
	return text, toolInput
}

func TestConverseStream(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, eventStream(t, converseStreamEvents()...))
	ctx, parent := observe.Start(ctx, "answer")
	out, err := newClient(api.URL).ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{
		ModelId: aws.String(haiku), Messages: userMessage("Weather in Seattle?"), ToolConfig: weatherTools(),
	})
	require.NoError(t, err)
	text, input := readConverseStream(t, out)
	parent.End()
	assert.Equal(t, "Let me check.", text)
	assert.Equal(t, `{"city":"Seattle"}`, input)
	assert.Equal(t, "/model/"+haiku+"/converse-stream", api.Requests()[0].Path)

	gen := llmtest.Find(t, rec, converseName)
	p, _ := rec.Find("answer")
	assert.Equal(t, p.ID, gen.ParentID)
	assert.Empty(t, gen.Level, "read to its end: no warning")
	assert.Equal(t, haiku, gen.Attr(semconv.ObservationModel))
	assert.Equal(t, map[string]any{"role": "assistant", "content": []any{
		map[string]any{"text": "Let me check."},
		map[string]any{"toolUse": map[string]any{"toolUseId": "tooluse_1", "name": "get_weather", "input": map[string]any{"city": "Seattle"}}},
	}}, llmtest.JSONOf(t, gen.Output))
	assert.Equal(t, map[string]int{"input": 400, "output": 60, "cache_read_input_tokens": 10, "total": 470}, llmtest.UsageOf(t, gen))
	assert.Equal(t, "tool_use", gen.Metadata["stop_reason"].AsString())
	assert.Equal(t, "900", gen.Metadata["latency_ms"].String())
	assert.NotEmpty(t, gen.Attr(semconv.ObservationCompletionStartTime), "time to first token")
}

// TestConverseStreamException: an exception inside the stream ends the
// observation at ERROR with its type and message, and the SDK reports it
// as before.
func TestConverseStreamException(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, eventStream(t,
		esEvent{"messageStart", `{"role":"assistant"}`},
		esEvent{"contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"Hel"}}`},
		esException{"throttlingException", `{"message":"Too many tokens, please wait before trying again."}`},
	))
	out, err := newClient(api.URL).ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{ModelId: aws.String(haiku), Messages: userMessage("Hi")})
	require.NoError(t, err)
	stream := out.GetStream()
	for range stream.Events() {
	}
	var te *types.ThrottlingException
	require.ErrorAs(t, stream.Err(), &te, "the SDK reports the exception as before")
	_ = stream.Close() // returns the exception again

	gen := llmtest.Find(t, rec, converseName)
	assert.Equal(t, "ERROR", gen.Level)
	assert.Equal(t, "throttlingException: Too many tokens, please wait before trying again.", gen.StatusMessage)
	assert.JSONEq(t, `{"role":"assistant","content":[{"text":"Hel"}]}`, gen.Output)
}

// TestThrottlingRetried: a ThrottlingException the SDK retries is one
// observation at ERROR, then one for the attempt that succeeded.
func TestThrottlingRetried(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(
		awsError(429, "ThrottlingException", "Too many requests, please wait before trying again."),
		llmtest.JSON(200, converseJSON)))
	ctx, parent := observe.Start(ctx, "answer")
	_, err := newClient(api.URL).Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String(haiku), Messages: userMessage("Hi")})
	parent.End()
	require.NoError(t, err)
	require.Equal(t, 2, api.Calls())

	gens := llmtest.Named(rec, converseName)
	require.Len(t, gens, 2)
	p, _ := rec.Find("answer")
	assert.Equal(t, "ERROR", gens[0].Level)
	assert.Equal(t, "429 Too Many Requests: Too many requests, please wait before trying again.", gens[0].StatusMessage)
	assert.Empty(t, gens[1].Level)
	for _, g := range gens {
		assert.Equal(t, p.ID, g.ParentID)
	}
}

// TestValidationError: an error the SDK does not retry is one
// observation at ERROR, and the SDK returns its error unchanged.
func TestValidationError(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, awsError(400, "ValidationException", "The provided model identifier is invalid."))
	_, err := newClient(api.URL).Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String("nope"), Messages: userMessage("Hi")})
	var ve *types.ValidationException
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "The provided model identifier is invalid.", ve.ErrorMessage())
	gen := llmtest.Find(t, rec, converseName)
	assert.Equal(t, "ERROR", gen.Level)
	assert.Equal(t, "400 Bad Request: The provided model identifier is invalid.", gen.StatusMessage)
	assert.Equal(t, "nope", gen.Attr(semconv.ObservationModel))
}

func TestInvokeModelClaude(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.JSON(200, claudeJSON))
	body := `{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"system":"Be kind.","messages":[{"role":"user","content":"Hi"}]}`
	out, err := newClient(api.URL).InvokeModel(ctx, &bedrockruntime.InvokeModelInput{
		ModelId: aws.String(haiku), Body: []byte(body), ContentType: aws.String("application/json"),
	})
	require.NoError(t, err)
	assert.JSONEq(t, claudeJSON, string(out.Body), "the SDK reads the answer as sent")
	assert.Equal(t, "/model/"+haiku+"/invoke", api.Requests()[0].Path)

	gen := llmtest.Find(t, rec, invokeName)
	assert.Equal(t, "claude-3-5-haiku-20241022", gen.Attr(semconv.ObservationModel), "the model the answer names")
	assert.Equal(t, haiku, gen.Attr("gen_ai.request.model"), "the model of the URL path")
	assert.Equal(t, map[string]any{"anthropic_version": "bedrock-2023-05-31", "max_tokens": float64(100)}, llmtest.ParamsOf(t, gen))
	assert.Equal(t, []any{
		map[string]any{"role": "system", "content": "Be kind."},
		map[string]any{"role": "user", "content": "Hi"},
	}, llmtest.JSONOf(t, gen.Input))
	assert.JSONEq(t, `{"role":"assistant","content":[{"type":"text","text":"Hi there!"}]}`, gen.Output)
	assert.Equal(t, map[string]int{"input": 10, "output": 4, "cache_read_input_tokens": 20, "cache_creation_input_tokens": 0, "total": 34},
		llmtest.UsageOf(t, gen))
	assert.Equal(t, "end_turn", gen.Metadata["stop_reason"].AsString())
	assert.Equal(t, "msg_bdrk_01", gen.Metadata["message_id"].AsString())
}

// TestInvokeModelOtherFamily: a body of another model family is recorded
// whole, in and out.
func TestInvokeModelOtherFamily(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	answer := `{"generation":"Hello","prompt_token_count":3,"generation_token_count":2,"stop_reason":"stop"}`
	api := llmtest.NewFakeAPI(t, llmtest.JSON(200, answer))
	body := `{"prompt":"Hi","max_gen_len":50}`
	_, err := newClient(api.URL).InvokeModel(ctx, &bedrockruntime.InvokeModelInput{ModelId: aws.String("meta.llama3-8b-instruct-v1:0"), Body: []byte(body)})
	require.NoError(t, err)
	gen := llmtest.Find(t, rec, invokeName)
	assert.Equal(t, "meta.llama3-8b-instruct-v1:0", gen.Attr(semconv.ObservationModel))
	assert.JSONEq(t, body, gen.Input)
	assert.JSONEq(t, answer, gen.Output)
}

func TestInvokeModelWithResponseStreamClaude(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, eventStream(t, claudeStreamEvents()...))
	body := `{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}`
	out, err := newClient(api.URL).InvokeModelWithResponseStream(ctx, &bedrockruntime.InvokeModelWithResponseStreamInput{
		ModelId: aws.String(haiku), Body: []byte(body),
	})
	require.NoError(t, err)
	stream := out.GetStream()
	n := 0
	for ev := range stream.Events() {
		_, ok := ev.(*types.ResponseStreamMemberChunk)
		assert.True(t, ok)
		n++
	}
	require.NoError(t, stream.Err())
	require.NoError(t, stream.Close())
	assert.Equal(t, 7, n, "the SDK gets every chunk")
	assert.Equal(t, "/model/"+haiku+"/invoke-with-response-stream", api.Requests()[0].Path)

	gen := llmtest.Find(t, rec, invokeName)
	assert.Empty(t, gen.Level)
	assert.Equal(t, "claude-3-5-haiku-20241022", gen.Attr(semconv.ObservationModel))
	assert.JSONEq(t, `{"role":"assistant","content":[{"type":"text","text":"Hello world"}]}`, gen.Output)
	assert.Equal(t, map[string]int{"input": 15, "output": 8, "total": 23}, llmtest.UsageOf(t, gen))
	assert.Equal(t, "end_turn", gen.Metadata["stop_reason"].AsString())
	assert.NotEmpty(t, gen.Attr(semconv.ObservationCompletionStartTime))
}

// TestStreamAbandoned: the caller closes the stream after its first
// event; the observation ends at WARNING with what arrived, and no
// goroutine is left (TestMain).
func TestStreamAbandoned(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	release := make(chan struct{})
	frames := encodeMessages(t, converseStreamEvents()...)
	api := llmtest.NewFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		w.WriteHeader(http.StatusOK)
		for _, f := range frames[:2] {
			_, _ = w.Write(f)
		}
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) })
	out, err := newClient(api.URL).ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{ModelId: aws.String(haiku), Messages: userMessage("Hi")})
	require.NoError(t, err)
	stream := out.GetStream()
	for ev := range stream.Events() {
		if _, ok := ev.(*types.ConverseStreamOutputMemberContentBlockDelta); ok {
			break
		}
	}
	require.NoError(t, stream.Close())

	gen := llmtest.Find(t, rec, converseName)
	assert.Equal(t, "WARNING", gen.Level)
	assert.NotEmpty(t, gen.StatusMessage)
	assert.JSONEq(t, `{"role":"assistant","content":[{"text":"Let me "}]}`, gen.Output)
}

// TestConcurrentCalls: 8 calls at once, whole and streamed, each its
// own observation under its own parent.
func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{
		"/model/" + haiku + "/converse":        llmtest.JSON(200, converseJSON),
		"/model/" + haiku + "/converse-stream": eventStream(t, converseStreamEvents()...),
	}))
	// One transport for all; a client each, since two streams of one
	// client race in the SDK (smithy-go's event-stream codec shares one
	// payload buffer among a client's streams).
	rt := langfusebedrock.NewTransport(nil)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			client := clientOf(api.URL, rt)
			ctx, parent := observe.Start(ctx, fmt.Sprintf("call-%d", i))
			defer parent.End()
			if i%2 == 0 {
				_, err := client.Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String(haiku), Messages: userMessage("Hi")})
				errs <- err
				return
			}
			out, err := client.ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{ModelId: aws.String(haiku), Messages: userMessage("Hi")})
			if err != nil {
				errs <- err
				return
			}
			stream := out.GetStream()
			for range stream.Events() {
			}
			errs <- errors.Join(stream.Err(), stream.Close())
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	gens := llmtest.Named(rec, converseName)
	require.Len(t, gens, 8)
	parents := map[string]bool{}
	for _, g := range gens {
		assert.Empty(t, g.Level)
		assert.False(t, parents[g.ParentID], "one generation per parent")
		parents[g.ParentID] = true
	}
}

// TestSecretsNeverRecorded: a server that echoes the request's headers
// (the SigV4 Authorization, its signature alone, the session token) into
// an answer, an error and a stream exception does not carry them into
// any attribute of any span.
func TestSecretsNeverRecorded(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	var mu sync.Mutex
	var seen []string
	echo := func(r *http.Request) string {
		auth := r.Header.Get("Authorization")
		_, sig, _ := cutLast(auth, "Signature=")
		token := r.Header.Get("X-Amz-Security-Token")
		mu.Lock()
		seen = append(seen, auth, sig, token)
		mu.Unlock()
		b, _ := json.Marshal(auth + " | " + sig + " | " + token)
		return string(b)
	}
	api := llmtest.NewFakeAPI(t, llmtest.Routes(map[string]http.HandlerFunc{
		"/model/" + haiku + "/converse": func(w http.ResponseWriter, r *http.Request) {
			llmtest.WriteJSON(w, 200, `{"output":{"message":{"role":"assistant","content":[{"text":`+echo(r)+`}]}},"stopReason":"end_turn"}`)
		},
		"/model/bad/converse": func(w http.ResponseWriter, r *http.Request) {
			llmtest.WriteJSON(w, 403, `{"message":`+echo(r)+`}`)
		},
		"/model/" + haiku + "/converse-stream": func(w http.ResponseWriter, r *http.Request) {
			e := echo(r)
			eventStream(t,
				esEvent{"contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":` + e + `}}`},
				esException{"validationException", `{"message":` + e + `}`})(w, r)
		},
	}))
	client := newClient(api.URL)
	_, err := client.Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String(haiku), Messages: userMessage("Hi")})
	require.NoError(t, err)
	_, err = client.Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String("bad"), Messages: userMessage("Hi")})
	require.Error(t, err)
	out, err := client.ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{ModelId: aws.String(haiku), Messages: userMessage("Hi")})
	require.NoError(t, err)
	for range out.GetStream().Events() {
	}
	_ = out.GetStream().Close()

	require.Len(t, llmtest.Named(rec, converseName), 3)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 9)
	for _, s := range seen {
		require.GreaterOrEqual(t, len(s), 16, "the server saw each secret")
	}
	assert.Contains(t, seen[0], "AWS4-HMAC-SHA256 Credential="+accessKeyID)
	assert.Equal(t, sessionToken, seen[2])
	llmtest.AssertNoSecret(t, rec, append(seen, sessionToken, secretAccessKey, accessKeyID)...)
}

func cutLast(s, sep string) (before, after string, found bool) {
	for i := len(s) - len(sep); i >= 0; i-- {
		if s[i:i+len(sep)] == sep {
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}
