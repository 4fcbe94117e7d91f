package llmhttp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// fakeWire is a small wire format: POST /v1/complete with
// {"model","prompt","temperature"}; answers {"model","text","tokens"} or a
// stream of {"delta"} events ended by "[END]".
type fakeWire struct{}

func (fakeWire) Operation(r *http.Request) (Operation, bool) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/v1/complete") {
		return Operation{}, false
	}
	return Operation{Name: "fake.complete", Type: observe.TypeGeneration, Model: "url-model"}, true
}

func (fakeWire) Request(_ Operation, body []byte) Request {
	var in struct {
		Model       string   `json:"model"`
		Prompt      string   `json:"prompt"`
		Temperature *float64 `json:"temperature"`
	}
	_ = json.Unmarshal(body, &in)
	r := Request{Model: in.Model, Input: in.Prompt}
	if in.Temperature != nil {
		r.Params = map[string]any{"temperature": *in.Temperature}
	}
	return r
}

func (fakeWire) Response(_ Operation, body []byte) Result {
	var out struct {
		Model  string `json:"model"`
		Text   string `json:"text"`
		Tokens int    `json:"tokens"`
	}
	if json.Unmarshal(body, &out) != nil {
		return Result{Output: string(body)}
	}
	return Result{Model: out.Model, Output: out.Text, Usage: map[string]int{"output": out.Tokens}}
}

func (fakeWire) Framing(_ Operation, resp *http.Response) Framing { return FrameSSE(resp) }
func (fakeWire) Stream(_ Operation, keep *Budget) Stream          { return &fakeStream{keep: keep} }

func (fakeWire) ErrorMessage(_ int, body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Error
}

type fakeStream struct {
	keep  *Budget
	model string
	text  []byte
	ended bool
	err   string
}

func (s *fakeStream) Event(event string, data []byte) {
	switch {
	case string(data) == "[END]":
		s.ended = true
	case event == "error":
		s.err = string(data)
	default:
		var d struct {
			Model string `json:"model"`
			Delta string `json:"delta"`
		}
		_ = json.Unmarshal(data, &d)
		s.text = s.keep.Append(s.text, d.Delta)
		if d.Model != "" {
			s.model = d.Model
		}
	}
}

func (s *fakeStream) Result() Result {
	return Result{Model: s.model, Output: s.keep.Text(s.text), Ended: s.ended, Error: s.err}
}

// answer is a base transport that answers every request with status,
// content type and body, after handing the request it got to seen.
func answer(status int, contentType string, body io.Reader, seen chan<- *http.Request) http.RoundTripper {
	return llmtest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if seen != nil {
			seen <- r
		}
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: h,
			Body: io.NopCloser(body), Request: r}, nil
	})
}

func call(t *testing.T, ctx context.Context, rt http.RoundTripper, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:1/v1/complete", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer sk-secret-key")
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	return resp
}

const request = `{"model":"m-1","prompt":"Say hi","temperature":0.5}`

func TestWholeResponse(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	ctx, parent := observe.Start(ctx, "agent")
	const reply = `{"model":"m-1-2026","text":"hi","tokens":3}`
	rt := New(answer(200, "application/json", strings.NewReader(reply), nil), fakeWire{}, Config{Observe: []observe.Option{observe.WithVersion("v7")}})
	resp := call(t, ctx, rt, request)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	parent.End()

	assert.Equal(t, reply, string(got), "the SDK sees the body unchanged")
	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "generation", g.Type)
	assert.Equal(t, parent.ID(), g.ParentID)
	assert.Equal(t, "m-1-2026", g.Attr(semconv.ObservationModel), "the response's model wins")
	assert.JSONEq(t, `{"temperature":0.5}`, g.Attr(semconv.ObservationModelParameters))
	assert.Equal(t, "Say hi", g.Input)
	assert.Equal(t, "hi", g.Output)
	assert.JSONEq(t, `{"output":3}`, g.Attr(semconv.ObservationUsageDetails))
	assert.Equal(t, "v7", g.Attr(semconv.Version))
	assert.Empty(t, g.Level)
	llmtest.AssertNoSecret(t, rec, "sk-secret-key")
}

func TestStreamReadToTheEnd(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	stream := "data: {\"delta\":\"Hel\"}\n\ndata: {\"delta\":\"lo\"}\n\ndata: [END]\n\n"
	rt := New(answer(200, "text/event-stream; charset=utf-8", strings.NewReader(stream), nil), fakeWire{}, Config{})
	before := time.Now()
	resp := call(t, ctx, rt, request)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	assert.Equal(t, stream, string(got))
	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "Hello", g.Output)
	assert.Equal(t, "m-1", g.Attr(semconv.ObservationModel), "the request's model when the response names none")
	assert.Empty(t, g.Level)
	first, err := time.Parse(time.RFC3339Nano, strings.Trim(g.Attr(semconv.ObservationCompletionStartTime), `"`))
	require.NoError(t, err, "completion start time %q", g.Attr(semconv.ObservationCompletionStartTime))
	assert.False(t, first.Before(before.Truncate(time.Millisecond)), "first chunk %v before the call %v", first, before)
	assert.False(t, first.After(g.Span.EndTime()), "first chunk %v after the end %v", first, g.Span.EndTime())
}

func TestStreamClosedAfterItsLastEvent(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	// The SDK stops reading at the final event and closes the body before EOF.
	stream := "data: {\"delta\":\"done\"}\n\ndata: [END]\n\n"
	rt := New(answer(200, "text/event-stream", strings.NewReader(stream), nil), fakeWire{}, Config{})
	resp := call(t, ctx, rt, request)
	buf := make([]byte, len(stream))
	_, err := io.ReadFull(resp.Body, buf)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "done", g.Output)
	assert.Empty(t, g.Level, "a stream closed after its end is whole")
}

func TestStreamAbandonedByTheCaller(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { _, _ = io.WriteString(pw, "data: {\"delta\":\"partial\"}\n\n") }()
	rt := New(answer(200, "text/event-stream", pr, nil), fakeWire{}, Config{})
	resp := call(t, ctx, rt, request)
	buf := make([]byte, 64)
	n, err := resp.Body.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "data: {\"delta\":\"partial\"}\n\n", string(buf[:n]))
	require.NoError(t, resp.Body.Close())

	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "partial", g.Output)
	assert.Equal(t, "WARNING", g.Level)
	assert.Equal(t, errClosedEarly.Error(), g.StatusMessage)
}

type cutReader struct {
	r   io.Reader
	err error
}

func (c *cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if errors.Is(err, io.EOF) {
		err = c.err
	}
	return n, err
}

func TestStreamCutByTheServer(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	cut := errors.New("unexpected EOF")
	body := &cutReader{strings.NewReader("data: {\"delta\":\"half\"}\n\n"), cut}
	rt := New(answer(200, "text/event-stream", body, nil), fakeWire{}, Config{})
	resp := call(t, ctx, rt, request)
	_, err := io.ReadAll(resp.Body)
	require.ErrorIs(t, err, cut, "the SDK sees the read error itself")
	require.NoError(t, resp.Body.Close())

	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "half", g.Output)
	assert.Equal(t, "ERROR", g.Level)
	assert.Equal(t, "reading the response: unexpected EOF", g.StatusMessage)
}

func TestErrorEventInAStream(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	stream := "data: {\"delta\":\"a\"}\n\nevent: error\ndata: overloaded\n\n"
	rt := New(answer(200, "text/event-stream", strings.NewReader(stream), nil), fakeWire{}, Config{})
	resp := call(t, ctx, rt, request)
	_, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "ERROR", g.Level)
	assert.Equal(t, "overloaded", g.StatusMessage)
}

func TestHTTPErrorIsRecordedAndPassedThrough(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	// An error body longer than what is read for the message still
	// reaches the SDK whole.
	body := `{"error":"model not found"}` + strings.Repeat(" ", maxErrorBody)
	rt := New(answer(404, "application/json", strings.NewReader(body), nil), fakeWire{}, Config{})
	resp := call(t, ctx, rt, request)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, body, string(got))
	assert.Equal(t, 404, resp.StatusCode)

	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "ERROR", g.Level)
	assert.Equal(t, "Not Found: model not found", g.StatusMessage)
	llmtest.AssertNoSecret(t, rec, "sk-secret-key")
}

func TestTransportErrorIsReturnedUnchanged(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	refused := errors.New("connection refused")
	rt := New(llmtest.RoundTripFunc(func(*http.Request) (*http.Response, error) { return nil, refused }), fakeWire{}, Config{})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:1/v1/complete", strings.NewReader(request))
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	assert.Nil(t, resp)
	assert.Same(t, refused, err)
	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "ERROR", g.Level)
	assert.Equal(t, "connection refused", g.StatusMessage)
}

func TestRequestBodyWithoutGetBodyIsSentWhole(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	seen := make(chan *http.Request, 1)
	rt := New(answer(200, "application/json", strings.NewReader(`{}`), seen), fakeWire{}, Config{})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:1/v1/complete",
		io.NopCloser(strings.NewReader(request))) // no GetBody
	require.NoError(t, err)
	require.Nil(t, req.GetBody)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	sent, err := io.ReadAll((<-seen).Body)
	require.NoError(t, err)
	assert.Equal(t, request, string(sent))
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "Say hi", llmtest.Find(t, rec, "fake.complete").Input)
}

func TestOutgoingRequestCarriesTheGeneration(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	seen := make(chan *http.Request, 1)
	rt := New(answer(200, "application/json", strings.NewReader(`{}`), seen), fakeWire{}, Config{})
	resp := call(t, ctx, rt, request)
	inner := <-seen
	id := observe.ObservationID(inner.Context())
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, llmtest.Find(t, rec, "fake.complete").ID, id, "work under the base transport nests under the generation")
}

func TestPassThrough(t *testing.T) {
	t.Run("not a model call", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		seen := make(chan *http.Request, 1)
		rt := New(answer(200, "application/json", strings.NewReader(`{}`), seen), fakeWire{}, Config{})
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:1/v1/models", nil)
		require.NoError(t, err)
		resp, err := rt.RoundTrip(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Same(t, req, <-seen)
		assert.Empty(t, rec.Spans())
	})
	t.Run("tracing off", func(t *testing.T) {
		t.Parallel()
		seen := make(chan *http.Request, 1)
		body := io.NopCloser(strings.NewReader(`{"text":"x"}`))
		rt := New(llmtest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			seen <- r
			return &http.Response{StatusCode: 200, Header: http.Header{}, Body: body}, nil
		}), fakeWire{}, Config{})
		// A context bound to no client, and no default client.
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://127.0.0.1:1/v1/complete", strings.NewReader(request))
		require.NoError(t, err)
		resp, err := rt.RoundTrip(req)
		require.NoError(t, err)
		assert.Same(t, req, <-seen, "the request goes on as it is")
		assert.True(t, resp.Body == body, "the body is not wrapped")
	})
}

func TestCaptureSwitchesFromOptions(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	rt := New(answer(200, "application/json", strings.NewReader(`{"model":"m","text":"secret answer","tokens":2}`), nil),
		fakeWire{}, Config{Observe: []observe.Option{observe.CaptureInput(false), observe.CaptureOutput(false)}})
	resp := call(t, ctx, rt, request)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	g := llmtest.Find(t, rec, "fake.complete")
	assert.NotContains(t, g.Attributes, semconv.ObservationInput)
	assert.NotContains(t, g.Attributes, semconv.ObservationOutput)
	assert.Equal(t, "m", g.Attr(semconv.ObservationModel))
	assert.JSONEq(t, `{"output":2}`, g.Attr(semconv.ObservationUsageDetails))
}

// A server that echoes the request's key, and an error that quotes the
// request's URL, carry no key into the observation.
func TestCredentialsEchoedBackAreRedacted(t *testing.T) {
	t.Run("error body", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		body := `{"error":"Incorrect API key provided: sk-secret-key"}`
		rt := New(answer(401, "application/json", strings.NewReader(body), nil), fakeWire{}, Config{})
		resp := call(t, ctx, rt, request)
		got, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, body, string(got), "the SDK still gets the body as sent")
		assert.Equal(t, "Unauthorized: Incorrect API key provided: [REDACTED]", llmtest.Find(t, rec, "fake.complete").StatusMessage)
		llmtest.AssertNoSecret(t, rec, "sk-secret-key")
	})
	t.Run("error event in a stream", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		stream := "event: error\ndata: key sk-secret-key revoked\n\n"
		rt := New(answer(200, "text/event-stream", strings.NewReader(stream), nil), fakeWire{}, Config{})
		resp := call(t, ctx, rt, request)
		_, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, "key [REDACTED] revoked", llmtest.Find(t, rec, "fake.complete").StatusMessage)
		llmtest.AssertNoSecret(t, rec, "sk-secret-key")
	})
	t.Run("transport error quoting the URL", func(t *testing.T) {
		t.Parallel()
		ctx, rec := langfusetest.New(t)
		var sent error
		rt := New(llmtest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent = &url.Error{Op: "Post", URL: r.URL.String(), Err: errors.New("connection refused")}
			return nil, sent
		}), fakeWire{}, Config{})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost,
			"http://127.0.0.1:1/v1/complete?key=query-secret-123&alt=sse", strings.NewReader(request))
		require.NoError(t, err)
		_, err = rt.RoundTrip(req)
		assert.Same(t, sent, err, "the caller gets the error itself")
		g := llmtest.Find(t, rec, "fake.complete")
		assert.Contains(t, g.StatusMessage, "key=[REDACTED]")
		llmtest.AssertNoSecret(t, rec, "sk-secret-key", "query-secret-123")
	})
}

// panickyWire is fakeWire with a request reader that panics.
type panickyWire struct{ fakeWire }

func (panickyWire) Request(Operation, []byte) Request { panic("unreadable request") }

func TestPanicReadingTheRequestIsContained(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	rt := New(answer(200, "application/json", strings.NewReader(`{"text":"fine"}`), nil), panickyWire{}, Config{})
	resp := call(t, ctx, rt, request)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, `{"text":"fine"}`, string(got), "the call goes on")
	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "fine", g.Output)
	assert.Equal(t, "panic: unreadable request", g.Metadata["langfuse_request_unread"].String())
}
