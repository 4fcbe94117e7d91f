package langfuseopenai_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/semconv"
)

// apiKey is the key the clients send; no recorded attribute may hold it.
const apiKey = "sk-test-secret-5f1c2d"

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
func newClient(f *llmtest.FakeAPI, retries int, opts ...langfuseopenai.Option) openai.Client {
	return openai.NewClient(
		option.WithBaseURL(f.URL+"/v1/"),
		option.WithAPIKey(apiKey),
		option.WithHTTPClient(&http.Client{Transport: langfuseopenai.NewTransport(nil, opts...)}),
		option.WithMaxRetries(retries),
	)
}

// completionStart returns the completion start time of o, checked to lie
// within the observation.
func completionStart(t *testing.T, o langfusetest.Observation) time.Time {
	t.Helper()
	raw := o.Attr(semconv.ObservationCompletionStartTime)
	require.NotEmpty(t, raw, "completion start time")
	var ts time.Time
	require.NoError(t, json.Unmarshal([]byte(raw), &ts), "completion start %q", raw)
	assert.False(t, ts.Before(o.Span.StartTime().Truncate(time.Millisecond)), "completion start %v before start %v", ts, o.Span.StartTime())
	assert.False(t, ts.After(o.Span.EndTime()), "completion start %v after end %v", ts, o.Span.EndTime())
	return ts
}
