package langfuseanthropic_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

const generationName = "anthropic.messages"

func TestMessagesNew(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, textMessageJSON)))
	client := newClient(api.URL)

	ctx, parent := observe.Start(ctx, "answer")
	params := userParams("Hello, Claude")
	params.System = []anthropic.TextBlockParam{{Text: "You are a concise assistant."}}
	params.StopSequences = []string{"\n\nHuman:"}
	params.Metadata = anthropic.MetadataParam{UserID: anthropic.String("user-7")}
	msg, err := client.Messages.New(ctx, params, option.WithJSONSet("temperature", 0.2))
	parent.End()
	require.NoError(t, err)
	assert.Equal(t, "Hello! How can I help you today?", msg.Content[0].Text, "the SDK reads the answer as sent")

	gen := llmtest.Find(t, rec, generationName)
	p, ok := rec.Find("answer")
	require.True(t, ok)
	assert.Equal(t, "generation", gen.Type)
	assert.Equal(t, p.ID, gen.ParentID)
	assert.Equal(t, p.TraceID, gen.TraceID)
	assert.Equal(t, "claude-sonnet-4-6-20260115", gen.Attr(semconv.ObservationModel), "the response's model")
	assert.Empty(t, gen.Level)
	assert.False(t, gen.Failed())

	assert.Equal(t, map[string]any{
		"max_tokens":     float64(1024),
		"temperature":    0.2,
		"stop_sequences": []any{"\n\nHuman:"},
		"metadata":       map[string]any{"user_id": "user-7"},
	}, llmtest.JSONOf(t, gen.Attr(semconv.ObservationModelParameters)))

	assert.Equal(t, []any{
		map[string]any{"role": "system", "content": []any{map[string]any{"type": "text", "text": "You are a concise assistant."}}},
		map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": "Hello, Claude"}}},
	}, llmtest.JSONOf(t, gen.Input))
	assert.Equal(t, map[string]any{
		"role":    "assistant",
		"content": []any{map[string]any{"type": "text", "text": "Hello! How can I help you today?"}},
	}, llmtest.JSONOf(t, gen.Output))

	assert.Equal(t, map[string]int{
		"input": 12, "output": 9, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 5, "total": 126,
	}, llmtest.UsageOf(t, gen))
	assert.Equal(t, "msg_01XFDUDYJgAACzvnptvVoYEL", gen.Metadata["message_id"].AsString())
	assert.Equal(t, "end_turn", gen.Metadata["stop_reason"].AsString())
	assert.Empty(t, gen.Attr(semconv.ObservationCompletionStartTime), "no stream, no completion start")
}

func TestMessagesNewSystemString(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, textMessageJSON)))
	client := newClient(api.URL)

	// The wire also takes the system prompt as a plain string.
	_, err := client.Messages.New(ctx, userParams("Hi"), option.WithJSONSet("system", "Be brief."))
	require.NoError(t, err)
	gen := llmtest.Find(t, rec, generationName)
	assert.Equal(t, []any{
		map[string]any{"role": "system", "content": "Be brief."},
		map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": "Hi"}}},
	}, llmtest.JSONOf(t, gen.Input))
}

func TestMessagesNewToolUse(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, toolMessageJSON)))
	client := newClient(api.URL)

	params := userParams("What's the weather in San Francisco?")
	params.Tools = []anthropic.ToolUnionParam{weatherTool()}
	params.ToolChoice = anthropic.ToolChoiceUnionParam{OfAuto: &anthropic.ToolChoiceAutoParam{}}
	msg, err := client.Messages.New(ctx, params)
	require.NoError(t, err)
	require.Len(t, msg.Content, 2)
	assert.Equal(t, anthropic.StopReasonToolUse, msg.StopReason)

	gen := llmtest.Find(t, rec, generationName)
	ps := llmtest.JSONOf(t, gen.Attr(semconv.ObservationModelParameters)).(map[string]any)
	tools := ps["tools"].([]any)
	require.Len(t, tools, 1)
	assert.Equal(t, "get_weather", tools[0].(map[string]any)["name"])
	assert.Equal(t, "Get the current weather in a given location", tools[0].(map[string]any)["description"])
	assert.Equal(t, map[string]any{"type": "auto"}, ps["tool_choice"])

	out := llmtest.JSONOf(t, gen.Output).(map[string]any)
	content := out["content"].([]any)
	require.Len(t, content, 2)
	call := content[1].(map[string]any)
	assert.Equal(t, "tool_use", call["type"])
	assert.Equal(t, "toolu_01A09q90qw90lq917835lq9", call["id"])
	assert.Equal(t, "get_weather", call["name"])
	assert.Equal(t, map[string]any{"location": "San Francisco, CA", "unit": "celsius"}, call["input"])
	assert.Equal(t, "tool_use", gen.Metadata["stop_reason"].AsString())
	assert.Equal(t, map[string]int{"input": 384, "output": 96, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0, "total": 480},
		llmtest.UsageOf(t, gen))
}

// sdkContentJSON is the content of a message the SDK accumulated, as JSON.
func sdkContentJSON(t *testing.T, m anthropic.Message) string {
	t.Helper()
	parts := make([]string, len(m.Content))
	for i, b := range m.Content {
		parts[i] = b.RawJSON()
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// recordedContentJSON is the content of the recorded output, as JSON.
func recordedContentJSON(t *testing.T, o langfusetest.Observation) string {
	t.Helper()
	var out struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	require.NoError(t, json.Unmarshal([]byte(o.Output), &out), o.Output)
	assert.Equal(t, "assistant", out.Role)
	return string(out.Content)
}

func TestMessagesNewStreaming(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(sseAnswer(textStream("msg_stream_1"))))
	client := newClient(api.URL)

	ctx, parent := observe.Start(ctx, "answer")
	before := time.Now()
	stream := client.Messages.NewStreaming(ctx, userParams("Say hello"))
	var msg anthropic.Message
	for stream.Next() {
		require.NoError(t, msg.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	require.NoError(t, stream.Close())
	parent.End()
	after := time.Now()

	assert.Equal(t, "Hello!", msg.Content[0].Text)
	gen := llmtest.Find(t, rec, generationName)
	p, _ := rec.Find("answer")
	assert.Equal(t, p.ID, gen.ParentID)
	assert.Equal(t, "generation", gen.Type)
	assert.Empty(t, gen.Level, "read to its end: no warning")
	assert.Equal(t, "claude-sonnet-4-6-20260115", gen.Attr(semconv.ObservationModel))
	assert.JSONEq(t, sdkContentJSON(t, msg), recordedContentJSON(t, gen), "the recorded output is what the SDK accumulated")
	assert.JSONEq(t, `[{"type":"text","text":"Hello!"}]`, recordedContentJSON(t, gen))
	assert.Equal(t, true, llmtest.JSONOf(t, gen.Attr(semconv.ObservationModelParameters)).(map[string]any)["stream"])
	assert.Equal(t, map[string]int{"input": 25, "output": 15, "cache_read_input_tokens": 40, "cache_creation_input_tokens": 0, "total": 80},
		llmtest.UsageOf(t, gen))
	assert.Equal(t, "msg_stream_1", gen.Metadata["message_id"].AsString())
	assert.Equal(t, "end_turn", gen.Metadata["stop_reason"].AsString())

	var first time.Time
	require.NoError(t, json.Unmarshal([]byte(gen.Attr(semconv.ObservationCompletionStartTime)), &first), gen.Attr(semconv.ObservationCompletionStartTime))
	start, end := gen.Span.StartTime(), gen.Span.EndTime()
	assert.False(t, first.Before(start.Truncate(time.Millisecond)), "first chunk %v before start %v", first, start)
	assert.False(t, first.After(end), "first chunk %v after end %v", first, end)
	assert.False(t, start.Before(before) || end.After(after))
}

func TestMessagesNewStreamingToolUse(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(sseAnswer(toolStream())))
	client := newClient(api.URL)

	params := userParams("What's the weather in San Francisco?")
	params.Tools = []anthropic.ToolUnionParam{weatherTool()}
	params.Thinking = anthropic.ThinkingConfigParamOfEnabled(1024)
	stream := client.Messages.NewStreaming(ctx, params)
	var msg anthropic.Message
	for stream.Next() {
		require.NoError(t, msg.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	require.NoError(t, stream.Close())

	gen := llmtest.Find(t, rec, generationName)
	require.Len(t, msg.Content, 3)
	assert.JSONEq(t, sdkContentJSON(t, msg), recordedContentJSON(t, gen))
	assert.JSONEq(t, `[
		{"type":"thinking","thinking":"The user wants the weather.","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3h"},
		{"type":"text","text":"Let me check."},
		{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{"location":"San Francisco, CA","unit":"fahrenheit"}}
	]`, recordedContentJSON(t, gen))
	ps := llmtest.JSONOf(t, gen.Attr(semconv.ObservationModelParameters)).(map[string]any)
	assert.Equal(t, map[string]any{"type": "enabled", "budget_tokens": float64(1024)}, ps["thinking"])
	assert.Equal(t, map[string]int{"input": 472, "output": 89, "output_reasoning": 20, "cache_read_input_tokens": 40, "cache_creation_input_tokens": 0, "total": 601},
		llmtest.UsageOf(t, gen))
	assert.Equal(t, "tool_use", gen.Metadata["stop_reason"].AsString())
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status  int
		errType string
		message string
	}{
		{400, "invalid_request_error", "max_tokens: Field required"},
		{401, "authentication_error", "invalid x-api-key"},
		{500, "api_error", "Internal server error"},
		{529, "overloaded_error", "Overloaded"},
	} {
		t.Run(tc.errType, func(t *testing.T) {
			t.Parallel()
			ctx, rec := langfusetest.New(t)
			body := `{"type":"error","error":{"type":"` + tc.errType + `","message":"` + tc.message + `"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`
			api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(tc.status, body)))
			client := newClient(api.URL)

			for _, streamed := range []bool{false, true} {
				rec.Reset()
				var err error
				if streamed {
					stream := client.Messages.NewStreaming(ctx, userParams("Hi"))
					for stream.Next() {
					}
					err = stream.Err()
					_ = stream.Close()
				} else {
					_, err = client.Messages.New(ctx, userParams("Hi"))
				}
				var apiErr *anthropic.Error
				require.ErrorAs(t, err, &apiErr, "streamed %v", streamed)
				assert.Equal(t, tc.status, apiErr.StatusCode)
				assert.Equal(t, tc.message, apiErr.Message, "the SDK read the error body whole")

				gen := llmtest.Find(t, rec, generationName)
				assert.True(t, gen.Failed(), "level %q", gen.Level)
				assert.Contains(t, gen.StatusMessage, tc.message)
				assert.Contains(t, gen.StatusMessage, tc.errType)
				assert.Contains(t, gen.StatusMessage, strconv.Itoa(tc.status))
				assert.Equal(t, "claude-sonnet-4-6", gen.Attr(semconv.ObservationModel), "the request's model")
				assert.NotEmpty(t, gen.Input)
			}
		})
	}
}

func TestRateLimitThenSuccess(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	limited := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("retry-after-ms", "0") // the SDK retries at once
		jsonAnswer(429, `{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}`)(w, r)
	}
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(limited, jsonAnswer(200, textMessageJSON)))
	client := newClientWith(api.URL, langfuseanthropic.NewTransport(nil), option.WithMaxRetries(2))

	ctx, parent := observe.Start(ctx, "answer")
	msg, err := client.Messages.New(ctx, userParams("Hi"))
	parent.End()
	require.NoError(t, err)
	assert.Equal(t, "msg_01XFDUDYJgAACzvnptvVoYEL", msg.ID)
	assert.Equal(t, 2, api.Calls())

	p, _ := rec.Find("answer")
	var gens []langfusetest.Observation
	for _, o := range rec.Observations() {
		if o.Name == generationName {
			gens = append(gens, o)
		}
	}
	require.Len(t, gens, 2, "one observation per attempt")
	assert.True(t, gens[0].Failed())
	assert.Contains(t, gens[0].StatusMessage, "429")
	assert.Contains(t, gens[0].StatusMessage, "rate_limit_error: Number of request tokens")
	assert.False(t, gens[1].Failed())
	assert.Equal(t, "claude-sonnet-4-6-20260115", gens[1].Attr(semconv.ObservationModel))
	for _, g := range gens {
		assert.Equal(t, p.ID, g.ParentID)
	}
}

func TestStreamErrorEvent(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	events := []sseEvent{
		messageStart("msg_overloaded", 10),
		blockStart(0, `{"type":"text","text":""}`),
		textDelta(0, "Partial"),
		{"error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`},
	}
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(sseAnswer(events)))
	client := newClient(api.URL)

	stream := client.Messages.NewStreaming(ctx, userParams("Hi"))
	for stream.Next() {
	}
	var apiErr *anthropic.Error
	require.ErrorAs(t, stream.Err(), &apiErr)
	assert.Equal(t, "Overloaded", apiErr.Message)
	require.NoError(t, stream.Close())

	gen := llmtest.Find(t, rec, generationName)
	assert.True(t, gen.Failed())
	assert.Equal(t, "overloaded_error: Overloaded", gen.StatusMessage)
	assert.JSONEq(t, `[{"type":"text","text":"Partial"}]`, recordedContentJSON(t, gen))
}

func TestCaptureOff(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, textMessageJSON), sseAnswer(textStream("msg_2"))))
	client := newClient(api.URL, langfuseanthropic.WithObservationOptions(observe.CaptureInput(false), observe.CaptureOutput(false)))

	_, err := client.Messages.New(ctx, userParams("secret question"))
	require.NoError(t, err)
	stream := client.Messages.NewStreaming(ctx, userParams("secret question"))
	for stream.Next() {
	}
	require.NoError(t, stream.Err())
	_ = stream.Close()

	obs := rec.Observations()
	require.Len(t, obs, 2)
	for _, gen := range obs {
		assert.Empty(t, gen.Input)
		assert.Empty(t, gen.Output)
		assert.Equal(t, "claude-sonnet-4-6-20260115", gen.Attr(semconv.ObservationModel))
		assert.NotEmpty(t, llmtest.UsageOf(t, gen)["output"])
		for k, v := range gen.Attributes {
			assert.NotContains(t, v.String(), "secret question", k)
			assert.NotContains(t, v.String(), "Hello", k)
		}
	}
}

func TestTransportOptions(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, textMessageJSON)))
	client := newClient(api.URL, langfuseanthropic.WithObservationOptions(observe.WithMetadata(map[string]any{"team": "search"}), observe.WithVersion("v7")))

	_, err := client.Messages.New(ctx, userParams("Hi"))
	require.NoError(t, err)
	gen := llmtest.Find(t, rec, generationName)
	assert.Equal(t, "search", gen.Metadata["team"].AsString())
	assert.Equal(t, "end_turn", gen.Metadata["stop_reason"].AsString(), "the response's metadata beside the option's")
	assert.Equal(t, "v7", gen.Attr("langfuse.version"))
}

// TestNoSecretsRecorded sends the API key on every kind of call and looks
// for it in every attribute of every span.
func TestNoSecretsRecorded(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, textMessageJSON),
		sseAnswer(textStream("msg_3")),
		jsonAnswer(401, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`)))
	client := newClient(api.URL)
	bearer := anthropic.NewClient(option.WithoutEnvironmentDefaults(), option.WithBaseURL(api.URL),
		option.WithAuthToken(apiKey), option.WithMaxRetries(0),
		option.WithHTTPClient(&http.Client{Transport: langfuseanthropic.NewTransport(nil)}))

	_, err := client.Messages.New(ctx, userParams("Hi"))
	require.NoError(t, err)
	stream := client.Messages.NewStreaming(ctx, userParams("Hi"))
	for stream.Next() {
	}
	_ = stream.Close()
	_, err = bearer.Messages.New(ctx, userParams("Hi"))
	var apiErr *anthropic.Error
	require.ErrorAs(t, err, &apiErr)

	require.Equal(t, 3, api.Calls())
	for i, r := range api.Requests() {
		sent := r.Header.Get("X-Api-Key") + r.Header.Get("Authorization")
		assert.Contains(t, sent, apiKey, "request %d carried the key", i)
	}

	require.Len(t, rec.Observations(), 3)
	llmtest.AssertNoSecret(t, rec, apiKey)
}

func TestOtherCallsNotRecorded(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, `{"input_tokens":14}`), jsonAnswer(200, `{"data":[],"has_more":false,"first_id":null,"last_id":null}`)))
	client := newClient(api.URL)

	n, err := client.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{
		Model:    anthropic.ModelClaudeSonnet4_6,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hi"))},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(14), n.InputTokens)
	_, err = client.Models.List(ctx, anthropic.ModelListParams{})
	require.NoError(t, err)
	assert.Equal(t, 2, api.Calls())
	assert.Empty(t, rec.Observations())
}

func TestTracingDisabled(t *testing.T) {
	t.Parallel()
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, textMessageJSON), sseAnswer(textStream("msg_4")), jsonAnswer(200, textMessageJSON)))
	client := newClient(api.URL)
	ctx, rec := llmtest.DisabledContext(t)

	msg, err := client.Messages.New(ctx, userParams("Hi"))
	require.NoError(t, err)
	assert.Equal(t, "Hello! How can I help you today?", msg.Content[0].Text)
	stream := client.Messages.NewStreaming(ctx, userParams("Hi"))
	var acc anthropic.Message
	for stream.Next() {
		require.NoError(t, acc.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Hello!", acc.Content[0].Text)
	assert.Empty(t, rec.Spans())

	// No client in the context at all.
	_, err = client.Messages.New(context.Background(), userParams("Hi"))
	require.NoError(t, err)
	assert.Equal(t, 3, api.Calls())
}

func TestMalformedResponses(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, `{"id":"msg_x","content":[{"type":"text"`),
		sseAnswer([]sseEvent{
			{"message_start", `{"type":"message_start","message":`},
			{"content_block_delta", `{"type":"content_block_delta","index":99999999,"delta":{"type":"text_delta","text":"x"}}`},
			{"content_block_delta", `{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"x"}}`},
			{"content_block_start", `{"type":"content_block_start","index":0,"content_block":7}`},
			textDelta(0, "still here"),
			{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":null}`},
			{"message_delta", `{"type":"message_delta","usage":{"output_tokens":-5}}`},
			{"error", `not json`},
		})))
	client := newClient(api.URL)

	_, err := client.Messages.New(ctx, userParams("Hi"))
	require.Error(t, err, "the SDK cannot read it either")
	gen := llmtest.Find(t, rec, generationName)
	assert.Equal(t, `{"id":"msg_x","content":[{"type":"text"`, gen.Output, "kept as text")

	// The SDK stops at the first bad event; a plain client reads them all.
	rec.Reset()
	body := postMessages(t, ctx, api.URL, `{"model":"claude-sonnet-4-6","max_tokens":5,"stream":true,"messages":[]}`)
	assert.Contains(t, body, "still here")
	gen = llmtest.Find(t, rec, generationName)
	assert.JSONEq(t, `[{"text":"still here"}]`, recordedContentJSON(t, gen))
	assert.Empty(t, gen.Attr(semconv.ObservationUsageDetails), "a negative count is no usage")
	assert.True(t, gen.Failed())
	assert.Equal(t, "error event: not json", gen.StatusMessage)
}

func TestErrorMessageOfNonJSONBody(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>bad gateway</html>"))
	}))
	client := newClient(api.URL)
	_, err := client.Messages.New(ctx, userParams("Hi"))
	require.Error(t, err)
	gen := llmtest.Find(t, rec, generationName)
	assert.True(t, gen.Failed())
	assert.Equal(t, "502 Bad Gateway: <html>bad gateway</html>", gen.StatusMessage)
}

// An echoed key is taken out of a body before the body is cut for the
// record: a key lying across the cut leaves no piece behind.
func TestEchoedKeyRedactedBeforeCut(t *testing.T) {
	t.Run("error body that is not JSON", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		page := strings.Repeat("x", 480) + " key " + apiKey + " refused by the gateway"
		api := llmtest.NewFakeAPI(t, llmtest.Sequence(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, page)
		}))
		client := newClient(api.URL)
		_, err := client.Messages.New(ctx, userParams("Hi"))
		require.Error(t, err)
		gen := llmtest.Find(t, rec, generationName)
		assert.True(t, gen.Failed())
		assert.NotContains(t, gen.StatusMessage, apiKey[:8])
	})
	t.Run("error event that is not JSON", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		data := strings.Repeat("y", 16<<10-10) + apiKey
		api := llmtest.NewFakeAPI(t, llmtest.Sequence(sseAnswer([]sseEvent{messageStart("msg_k", 3), {"error", data}})))
		body := postMessages(t, ctx, api.URL, `{"model":"claude-sonnet-4-6","max_tokens":5,"stream":true,"messages":[]}`)
		assert.Contains(t, body, apiKey, "the client gets the event as sent")
		gen := llmtest.Find(t, rec, generationName)
		assert.True(t, gen.Failed())
		assert.True(t, strings.HasPrefix(gen.StatusMessage, "error event: yyy"))
		assert.NotContains(t, gen.StatusMessage, apiKey[:8])
	})
}
