package langfuseopenai_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
	"github.com/observe-go/langfuse/langfusetest"
)

// apiKey is the key the clients send; no recorded attribute may hold it.
const apiKey = "sk-test-secret-5f1c2d"

// Attribute keys Langfuse reads.
const (
	attrType        = "langfuse.observation.type"
	attrModel       = "langfuse.observation.model.name"
	attrParams      = "langfuse.observation.model.parameters"
	attrUsage       = "langfuse.observation.usage_details"
	attrCompletion  = "langfuse.observation.completion_start_time"
	attrInput       = "langfuse.observation.input"
	attrOutput      = "langfuse.observation.output"
	attrMetadataPre = "langfuse.observation.metadata."
)

// fakeAPI is an OpenAI API on 127.0.0.1: each POST is answered by the
// handler given for its path, after the request is kept for the test.
type fakeAPI struct {
	*httptest.Server
	mu       sync.Mutex
	requests []fakeRequest
}

type fakeRequest struct {
	Path  string
	Query string
	Auth  string
	Body  []byte
}

func newFakeAPI(t testing.TB, routes map[string]http.HandlerFunc) *fakeAPI {
	t.Helper()
	f := &fakeAPI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		auth := r.Header.Get("Authorization")
		if auth == "" {
			auth = r.Header.Get("api-key")
		}
		f.mu.Lock()
		f.requests = append(f.requests, fakeRequest{Path: r.URL.Path, Query: r.URL.RawQuery, Auth: auth, Body: body})
		f.mu.Unlock()
		h, ok := routes[r.URL.Path]
		if !ok {
			writeJSON(w, http.StatusNotFound, `{"error":{"message":"Invalid URL (POST `+r.URL.Path+`)","type":"invalid_request_error","param":null,"code":null}}`)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) Requests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-request-id", "req_fake")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func jsonHandler(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, status, body) }
}

// sseHandler answers with a text/event-stream of the given events, each
// flushed on its own, as the API streams them.
func sseHandler(events ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeSSEHead(w)
		for _, e := range events {
			_, _ = io.WriteString(w, e)
			w.(http.Flusher).Flush()
		}
	}
}

func writeSSEHead(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
}

// data is one Chat Completions stream event.
func data(payload string) string { return "data: " + payload + "\n\n" }

// typed is one Responses stream event.
func typed(payload string) string {
	var e struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(payload), &e); err != nil {
		panic(fmt.Sprintf("bad event %s: %v", payload, err))
	}
	return "event: " + e.Type + "\n" + "data: " + payload + "\n\n"
}

// newClient is the official SDK's client against f, with the transport
// and no retries.
func newClient(f *fakeAPI, retries int, opts ...langfuseopenai.Option) openai.Client {
	return openai.NewClient(
		option.WithBaseURL(f.URL+"/v1/"),
		option.WithAPIKey(apiKey),
		option.WithHTTPClient(&http.Client{Transport: langfuseopenai.NewTransport(nil, opts...)}),
		option.WithMaxRetries(retries),
	)
}

// only returns the one observation called name.
func only(t *testing.T, rec *langfusetest.Recorder, name string) langfusetest.Observation {
	t.Helper()
	var found []langfusetest.Observation
	for _, o := range rec.Observations() {
		if o.Name == name {
			found = append(found, o)
		}
	}
	require.Len(t, found, 1, "observations called %q", name)
	return found[0]
}

// usageOf returns the usage details of o.
func usageOf(t *testing.T, o langfusetest.Observation) map[string]int {
	t.Helper()
	var u map[string]int
	require.NoError(t, json.Unmarshal([]byte(o.Attr(attrUsage)), &u), "usage %q", o.Attr(attrUsage))
	return u
}

// paramsOf returns the model parameters of o.
func paramsOf(t *testing.T, o langfusetest.Observation) map[string]any {
	t.Helper()
	var p map[string]any
	require.NoError(t, json.Unmarshal([]byte(o.Attr(attrParams)), &p), "parameters %q", o.Attr(attrParams))
	return p
}

// completionStart returns the completion start time of o, checked to lie
// within the observation.
func completionStart(t *testing.T, o langfusetest.Observation) time.Time {
	t.Helper()
	raw := o.Attr(attrCompletion)
	require.NotEmpty(t, raw, "completion start time")
	var ts time.Time
	require.NoError(t, json.Unmarshal([]byte(raw), &ts), "completion start %q", raw)
	assert.False(t, ts.Before(o.Span.StartTime().Truncate(time.Millisecond)), "completion start %v before start %v", ts, o.Span.StartTime())
	assert.False(t, ts.After(o.Span.EndTime()), "completion start %v after end %v", ts, o.Span.EndTime())
	return ts
}

// assertNoSecret checks that no attribute of any recorded span holds the
// API key.
func assertNoSecret(t *testing.T, rec *langfusetest.Recorder, more ...string) {
	t.Helper()
	secrets := append([]string{apiKey}, more...)
	for _, o := range rec.Observations() {
		for k, v := range o.Attributes {
			for _, s := range secrets {
				assert.NotContains(t, v.String(), s, "attribute %s of %s", k, o.Name)
			}
			assert.NotContains(t, strings.ToLower(k), "authorization", "attribute %s of %s", k, o.Name)
		}
		for _, e := range o.Events {
			for _, a := range e.Attributes {
				for _, s := range secrets {
					assert.NotContains(t, a.Value.String(), s)
				}
			}
		}
		for _, s := range secrets {
			assert.NotContains(t, o.Status.Description, s)
		}
	}
}
