package langfusebedrock_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/semconv"
)

// TestClaudeStreamReadAsAnthropic: InvokeModelWithResponseStream of a
// Claude model carries the Anthropic Messages API's own stream events, so
// the generation it records is the one the Anthropic transport records
// from the same events sent as server-sent events: the same output
// (thinking, text with citations, a tool call), usage (thinking tokens
// among it), metadata (stop_sequence among it) and error.
func TestClaudeStreamReadAsAnthropic(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		events []string
		shows  string // in the output or status message, so that both are not merely empty
	}{
		"answer": {events: []string{
			`{"type":"message_start","message":{"id":"msg_same","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[],"usage":{"input_tokens":15,"cache_read_input_tokens":4,"output_tokens":1}}}`,
			`{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}`,
			`{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Lisbon, then."}}`,
			`{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2ln"}}`,
			`{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}`,
			`{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"The Belém Tower."}}`,
			`{"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{"type":"char_location","cited_text":"Belém","document_index":0}}}`,
			`{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"book","input":{}}}`,
			`{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}`,
			`{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\"Lisbon\"}"}}`,
			`{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"output_tokens":30,"output_tokens_details":{"thinking_tokens":12}}}`,
			`{"type":"message_stop"}`,
		}, shows: `"citations":[{"type":"char_location","cited_text":"Belém"`},
		"error event": {events: []string{
			`{"type":"message_start","message":{"id":"msg_err","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[],"usage":{"input_tokens":15,"output_tokens":1}}}`,
			`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
		}, shows: "overloaded_error: Overloaded"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			viaBedrock := bedrockClaudeStream(t, c.events)
			viaAnthropic := anthropicStream(t, c.events)
			assert.Contains(t, viaAnthropic.Output+viaAnthropic.StatusMessage, c.shows)
			assert.Equal(t, viaAnthropic.Output, viaBedrock.Output)
			assert.Equal(t, llmtest.UsageOf(t, viaAnthropic), llmtest.UsageOf(t, viaBedrock))
			assert.Equal(t, viaAnthropic.Metadata, viaBedrock.Metadata)
			assert.Equal(t, viaAnthropic.Level, viaBedrock.Level)
			assert.Equal(t, viaAnthropic.StatusMessage, viaBedrock.StatusMessage)
			assert.Equal(t, viaAnthropic.Attr(semconv.ObservationModel), viaBedrock.Attr(semconv.ObservationModel))
		})
	}
}

// TestClaudeMessageReadAsAnthropic: InvokeModel of a Claude model
// answers with the Anthropic Messages API's own message, recorded as the
// Anthropic transport records it.
func TestClaudeMessageReadAsAnthropic(t *testing.T) {
	t.Parallel()
	const answer = `{"id":"msg_whole","type":"message","role":"assistant","model":"claude-sonnet-4-6",` +
		`"content":[{"type":"text","text":"The Belém Tower."}],"stop_reason":"stop_sequence","stop_sequence":"END",` +
		`"usage":{"input_tokens":15,"output_tokens":30,"output_tokens_details":{"thinking_tokens":12}}}`

	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.JSON(200, answer))
	_, err := newClient(api.URL).InvokeModel(ctx, &bedrockruntime.InvokeModelInput{
		ModelId: aws.String(haiku), Body: []byte(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}`),
	})
	require.NoError(t, err)
	viaBedrock := llmtest.Find(t, rec, invokeName)

	ctx, rec = langfusetest.New(t)
	api = llmtest.NewFakeAPI(t, llmtest.JSON(200, answer))
	post(t, ctx, langfuseanthropic.NewTransport(nil), api.URL+"/v1/messages",
		`{"model":"claude-sonnet-4-6","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}`)
	viaAnthropic := llmtest.Find(t, rec, "anthropic.messages")

	assert.Contains(t, viaAnthropic.Output, "The Belém Tower.")
	assert.Equal(t, viaAnthropic.Output, viaBedrock.Output)
	assert.Equal(t, llmtest.UsageOf(t, viaAnthropic), llmtest.UsageOf(t, viaBedrock))
	assert.Equal(t, viaAnthropic.Metadata, viaBedrock.Metadata)
	assert.Equal(t, viaAnthropic.Attr(semconv.ObservationModel), viaBedrock.Attr(semconv.ObservationModel))
}

// bedrockClaudeStream records events sent as the chunks of an
// InvokeModelWithResponseStream answer, read to its end by the SDK.
func bedrockClaudeStream(t *testing.T, events []string) langfusetest.Observation {
	ctx, rec := langfusetest.New(t)
	chunks := make([]any, len(events))
	for i, e := range events {
		chunks[i] = chunk(e)
	}
	api := llmtest.NewFakeAPI(t, eventStream(t, chunks...))
	out, err := newClient(api.URL).InvokeModelWithResponseStream(ctx, &bedrockruntime.InvokeModelWithResponseStreamInput{
		ModelId: aws.String(haiku), Body: []byte(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}`),
	})
	require.NoError(t, err)
	stream := out.GetStream()
	for range stream.Events() {
	}
	require.NoError(t, stream.Close())
	return llmtest.Find(t, rec, invokeName)
}

// anthropicStream records events sent as the server-sent events of a
// streamed Messages answer, read to its end.
func anthropicStream(t *testing.T, events []string) langfusetest.Observation {
	ctx, rec := langfusetest.New(t)
	var sse strings.Builder
	for _, e := range events {
		sse.WriteString("data: " + e + "\n\n")
	}
	api := llmtest.NewFakeAPI(t, llmtest.EventStream(sse.String()))
	post(t, ctx, langfuseanthropic.NewTransport(nil), api.URL+"/v1/messages",
		`{"model":"claude-sonnet-4-6","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hi"}]}`)
	return llmtest.Find(t, rec, "anthropic.messages")
}

func post(t *testing.T, ctx context.Context, rt http.RoundTripper, url, body string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
}
