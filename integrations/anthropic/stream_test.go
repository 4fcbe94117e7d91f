package langfuseanthropic_test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/anthropics/anthropic-sdk-go/v2/vertex"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// TestBodyUnchanged reads the responses through the transport with a
// plain client: the bytes are those the server sent.
func TestBodyUnchanged(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	events := toolStream()
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, textMessageJSON), sseAnswer(events)))

	got := postMessages(t, ctx, api.URL, `{"model":"claude-sonnet-4-6","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}`)
	assert.Equal(t, textMessageJSON, got)
	got = postMessages(t, ctx, api.URL, `{"model":"claude-sonnet-4-6","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"Hi"}]}`)
	assert.Equal(t, encodeSSE(events), got)
	assert.Equal(t, `{"model":"claude-sonnet-4-6","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}`, string(api.Requests()[0].Body), "the request body reached the server whole")
	obs := rec.Observations()
	require.Len(t, obs, 2)
	assert.JSONEq(t, `[{"role":"user","content":"Hi"}]`, obs[1].Input, "a string content as sent")
}

// TestStreamAbandoned: the caller closes the stream after its first text;
// the server would have gone on.
func TestStreamAbandoned(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(func(w http.ResponseWriter, r *http.Request) {
		sseAnswer([]sseEvent{messageStart("msg_abandoned", 25), blockStart(0, `{"type":"text","text":""}`), textDelta(0, "Hel")})(w, r)
		<-r.Context().Done() // until the client hangs up
	}))
	client := newClient(api.URL)

	stream := client.Messages.NewStreaming(ctx, userParams("Hi"))
	for stream.Next() {
		if stream.Current().Type == "content_block_delta" {
			break
		}
	}
	require.NoError(t, stream.Err())
	require.NoError(t, stream.Close())

	gen, ok := rec.Find(generationName)
	require.True(t, ok, "ended when the caller closed the stream")
	assert.Equal(t, "WARNING", gen.Level)
	assert.Contains(t, gen.StatusMessage, "closed")
	assert.JSONEq(t, `[{"type":"text","text":"Hel"}]`, recordedContentJSON(t, gen))
	assert.Equal(t, 25, llmtest.UsageOf(t, gen)["input"])
	assert.NotEmpty(t, gen.Attr(semconv.ObservationCompletionStartTime))
}

// TestStreamCutByServer: the connection drops mid-stream.
func TestStreamCutByServer(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		part := encodeSSE([]sseEvent{messageStart("msg_cut", 25), blockStart(0, `{"type":"text","text":""}`), textDelta(0, "Hel")})
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(part), part)
		_ = buf.Flush()
	}))
	client := newClient(api.URL)

	stream := client.Messages.NewStreaming(ctx, userParams("Hi"))
	var acc anthropic.Message
	for stream.Next() {
		require.NoError(t, acc.Accumulate(stream.Current()))
	}
	require.ErrorIs(t, stream.Err(), io.ErrUnexpectedEOF)
	_ = stream.Close()

	gen := llmtest.Find(t, rec, generationName)
	assert.True(t, gen.Failed())
	assert.Contains(t, gen.StatusMessage, "unexpected EOF")
	require.Len(t, acc.Content, 1)
	assert.Equal(t, "Hel", acc.Content[0].Text)
	assert.JSONEq(t, `[{"type":"text","text":"Hel"}]`, recordedContentJSON(t, gen), "what arrived is recorded")
}

// TestStreamEndedEarly: the server ends the response cleanly before
// message_stop; the SDK sees no error.
func TestStreamEndedEarly(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	events := toolStream()
	cut := events[:12] // in the middle of the tool call's arguments
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(sseAnswer(cut)))
	client := newClient(api.URL)

	stream := client.Messages.NewStreaming(ctx, userParams("Hi"))
	for stream.Next() {
	}
	require.NoError(t, stream.Err())
	require.NoError(t, stream.Close())

	gen := llmtest.Find(t, rec, generationName)
	assert.Equal(t, "WARNING", gen.Level)
	assert.Equal(t, "stream ended before its final event", gen.StatusMessage)
	var out struct {
		Content []map[string]any `json:"content"`
	}
	require.NoError(t, json.Unmarshal([]byte(gen.Output), &out))
	require.Len(t, out.Content, 3)
	assert.Equal(t, `{"location": "San Fra`, out.Content[2]["input"], "cut arguments kept as text")
}

// TestConcurrentCalls runs calls side by side, streamed and not, each
// under a parent of its own; each generation holds its own answer.
func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	echo := func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Stream   bool `json:"stream"`
			Messages []struct {
				Content []struct {
					Text string `json:"text"`
				} `json:"content"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		answer := "echo: " + req.Messages[0].Content[0].Text
		if !req.Stream {
			b, _ := json.Marshal(answer)
			jsonAnswer(200, `{"id":"msg_c","type":"message","role":"assistant","model":"claude-sonnet-4-6-20260115","content":[{"type":"text","text":`+string(b)+`}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":4}}`)(w, r)
			return
		}
		events := []sseEvent{messageStart("msg_c", 3), blockStart(0, `{"type":"text","text":""}`)}
		for _, word := range strings.SplitAfter(answer, " ") {
			events = append(events, textDelta(0, word))
		}
		sseAnswer(append(events, blockStop(0), messageDelta("end_turn", 4), messageStop))(w, r)
	}
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(echo))
	client := newClient(api.URL)

	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, parent := observe.Start(ctx, fmt.Sprintf("call-%d", i))
			defer parent.End()
			question := fmt.Sprintf("question number %d", i)
			if i%2 == 0 {
				msg, err := client.Messages.New(ctx, userParams(question))
				assert.NoError(t, err)
				assert.Equal(t, "echo: "+question, msg.Content[0].Text)
				return
			}
			stream := client.Messages.NewStreaming(ctx, userParams(question))
			var acc anthropic.Message
			for stream.Next() {
				assert.NoError(t, acc.Accumulate(stream.Current()))
			}
			assert.NoError(t, stream.Err())
			_ = stream.Close()
			assert.Equal(t, "echo: "+question, acc.Content[0].Text)
		}()
	}
	wg.Wait()

	parents := map[string]string{}
	for _, o := range rec.Observations() {
		if strings.HasPrefix(o.Name, "call-") {
			parents[o.ID] = o.Name
		}
	}
	gens := 0
	for _, o := range rec.Observations() {
		if o.Name != generationName {
			continue
		}
		gens++
		var i int
		_, err := fmt.Sscanf(parents[o.ParentID], "call-%d", &i)
		require.NoError(t, err, "parent of %s", o.ID)
		assert.Empty(t, o.Level)
		assert.JSONEq(t, fmt.Sprintf(`[{"type":"text","text":"echo: question number %d"}]`, i), recordedContentJSON(t, o))
		assert.Contains(t, o.Input, fmt.Sprintf("question number %d", i))
	}
	assert.Equal(t, n, gens)
}

// TestVertex calls an Anthropic model on Vertex AI through the SDK's
// vertex package: the model is in the URL, not the body.
func TestVertex(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	noModel := strings.Replace(textMessageJSON, `"model":"claude-sonnet-4-6-20260115",`, "", 1)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, noModel), sseAnswer(textStream("msg_vertex")), jsonAnswer(200, `{"input_tokens":3}`)))
	creds := &google.Credentials{ProjectID: "my-project", TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "ya29.vertex-secret"})}
	client := anthropic.NewClient(
		option.WithHTTPClient(&http.Client{Transport: langfuseanthropic.NewTransport(nil)}),
		vertex.WithCredentials(ctx, "us-east5", "my-project", creds),
		option.WithBaseURL(api.URL),
		option.WithMaxRetries(0),
	)

	params := userParams("Hi")
	params.Model = "claude-sonnet-4-5@20250929"
	msg, err := client.Messages.New(ctx, params)
	require.NoError(t, err)
	assert.Equal(t, "Hello! How can I help you today?", msg.Content[0].Text)
	stream := client.Messages.NewStreaming(ctx, params)
	for stream.Next() {
	}
	require.NoError(t, stream.Err())
	_ = stream.Close()
	_, err = client.Messages.CountTokens(ctx, anthropic.MessageCountTokensParams{Model: params.Model, Messages: params.Messages})
	require.NoError(t, err)
	assert.Contains(t, string(api.Requests()[0].Body), `"anthropic_version"`)
	assert.NotContains(t, string(api.Requests()[0].Body), `"model"`, "Vertex takes the model from the URL")
	assert.Contains(t, api.Requests()[0].Header.Get("Authorization"), "ya29.vertex-secret")

	obs := rec.Observations()
	require.Len(t, obs, 2, "token counting is no model call")
	assert.Equal(t, "claude-sonnet-4-5@20250929", obs[0].Attr(semconv.ObservationModel), "the URL's model")
	assert.Equal(t, "claude-sonnet-4-6-20260115", obs[1].Attr(semconv.ObservationModel), "the response's model")
	assert.JSONEq(t, `[{"type":"text","text":"Hello!"}]`, recordedContentJSON(t, obs[1]))
	for _, o := range obs {
		assert.Equal(t, generationName, o.Name)
		assert.NotEmpty(t, o.Input)
		for k, v := range o.Attributes {
			assert.NotContains(t, v.String(), "ya29.vertex-secret", k)
		}
	}
}

// TestStreamClosedAfterMessageStop: a caller that stops reading at
// message_stop and closes, while the connection is still open, got the
// whole answer: no warning.
func TestStreamClosedAfterMessageStop(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(func(w http.ResponseWriter, r *http.Request) {
		sseAnswer(textStream("msg_held_open"))(w, r)
		<-r.Context().Done() // the server holds the connection open
	}))
	client := newClient(api.URL)

	stream := client.Messages.NewStreaming(ctx, userParams("Hi"))
	for stream.Next() {
		if stream.Current().Type == "message_stop" {
			break
		}
	}
	require.NoError(t, stream.Err())
	require.NoError(t, stream.Close())

	gen := llmtest.Find(t, rec, generationName)
	assert.Empty(t, gen.Level, gen.StatusMessage)
	assert.JSONEq(t, `[{"type":"text","text":"Hello!"}]`, recordedContentJSON(t, gen))
}

// TestBetaMessages: the SDK's beta Messages calls post to the same path
// (with ?beta=true); batches are no model call.
func TestBetaMessages(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, textMessageJSON),
		jsonAnswer(200, `{"id":"msgbatch_01","type":"message_batch","processing_status":"in_progress","request_counts":{"processing":1,"succeeded":0,"errored":0,"canceled":0,"expired":0}}`)))
	client := newClient(api.URL)

	_, err := client.Beta.Messages.New(ctx, anthropic.BetaMessageNewParams{
		Model:     anthropic.ModelClaudeSonnet4_6,
		MaxTokens: 64,
		Messages:  []anthropic.BetaMessageParam{anthropic.NewBetaUserMessage(anthropic.NewBetaTextBlock("Hi"))},
	})
	require.NoError(t, err)
	_, err = client.Messages.Batches.New(ctx, anthropic.MessageBatchNewParams{
		Requests: []anthropic.MessageBatchNewParamsRequest{{CustomID: "one", Params: anthropic.MessageBatchNewParamsRequestParams{
			Model: anthropic.ModelClaudeSonnet4_6, MaxTokens: 64,
			Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hi"))},
		}}},
	})
	require.NoError(t, err)
	assert.Equal(t, 2, api.Calls())
	obs := rec.Observations()
	require.Len(t, obs, 1)
	assert.Equal(t, generationName, obs[0].Name)
	assert.Equal(t, "claude-sonnet-4-6-20260115", obs[0].Attr(semconv.ObservationModel))
}

// TestGzipResponse: an answer the server compresses (as it may when the
// client accepts gzip, which Go's transport says for the SDK) is read
// after Go's transport has decompressed it.
func TestGzipResponse(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	api := llmtest.NewFakeAPI(t, llmtest.Sequence(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			http.Error(w, "no gzip", 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = io.WriteString(zw, textMessageJSON)
		_ = zw.Close()
	}))
	client := newClient(api.URL)

	msg, err := client.Messages.New(ctx, userParams("Hi"))
	require.NoError(t, err)
	assert.Equal(t, "Hello! How can I help you today?", msg.Content[0].Text)
	gen := llmtest.Find(t, rec, generationName)
	assert.JSONEq(t, `[{"type":"text","text":"Hello! How can I help you today?"}]`, recordedContentJSON(t, gen))
}
