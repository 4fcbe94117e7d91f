package langfusetest

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/observe-go/langfuse/semconv"
)

// decodeTyped fills the typed fields of o from its attributes, decoding
// the JSON text Langfuse reads. A value that does not decode leaves its
// field empty; the raw text stays in Attributes for a test to look at.
func (o *Observation) decodeTyped() {
	o.Model = o.Attr(semconv.ObservationModel)
	o.ModelParameters = jsonAttr[map[string]any](o, semconv.ObservationModelParameters)
	o.Usage = jsonAttr[map[string]int](o, semconv.ObservationUsageDetails)
	o.Cost = jsonAttr[map[string]float64](o, semconv.ObservationCostDetails)
	o.CompletionStart = jsonAttr[time.Time](o, semconv.ObservationCompletionStartTime)
	o.PromptName = o.Attr(semconv.ObservationPromptName)
	if v, ok := o.Attributes[semconv.ObservationPromptVersion]; ok && v.Type() == attribute.INT64 {
		o.PromptVersion = int(v.AsInt64())
	}
	o.UserID = o.Attr(semconv.UserID)
	o.SessionID = o.Attr(semconv.SessionID)
	o.TraceName = o.Attr(semconv.TraceName)
	if v, ok := o.Attributes[semconv.TraceTags]; ok && v.Type() == attribute.STRINGSLICE {
		o.Tags = v.AsStringSlice()
	}
	o.Version = o.Attr(semconv.Version)
	o.Release = o.Attr(semconv.Release)
	o.Environment = o.Attr(semconv.Environment)
	o.TraceInput = o.Attr(semconv.TraceInput)
	o.TraceOutput = o.Attr(semconv.TraceOutput)
}

// jsonAttr decodes the JSON text of the attribute key of o into a T, or
// returns T's zero value when it is absent or does not decode.
func jsonAttr[T any](o *Observation, key string) T {
	var v T
	if text := o.Attr(key); text != "" {
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			var zero T
			return zero
		}
	}
	return v
}

// Serve starts an httptest.Server for h whose requests carry ctx's client
// (the one langfusetest.New bound to ctx, or any langfuse.Client.Context),
// so a handler wrapped in langfuse.ObserveHandler, and everything it
// calls, records into the test's recorder. Cancelling ctx does not cancel
// the requests. The server is closed when the test ends.
func Serve(t testing.TB, ctx context.Context, h http.Handler) *httptest.Server {
	t.Helper()
	base := context.WithoutCancel(ctx)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.BaseContext = func(net.Listener) context.Context { return base }
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}
