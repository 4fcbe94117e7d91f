package tracing_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/semconv"
	"github.com/observe-go/langfuse/tracing"
)

// startWithBaggage starts and ends one span under a ctx carrying members
// as W3C baggage, through a provider with the SpanProcessor of an
// environment "prod", and returns the span's attributes.
func startWithBaggage(t *testing.T, members map[string]string) map[string]string {
	t.Helper()
	cfg := config.Default()
	cfg.Environment = "prod"
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracing.NewSpanProcessor(cfg)), sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	b := baggage.FromContext(context.Background())
	for k, v := range members {
		m, err := baggage.NewMemberRaw(k, v)
		require.NoError(t, err)
		b, err = b.SetMember(m)
		require.NoError(t, err)
	}
	ctx := baggage.ContextWithBaggage(context.Background(), b)
	_, span := tp.Tracer("any-library").Start(ctx, "child")
	span.End()
	ended := rec.Ended()
	require.Len(t, ended, 1)
	attrs := map[string]string{}
	for _, kv := range ended[0].Attributes() {
		attrs[string(kv.Key)] = kv.Value.String()
	}
	return attrs
}

// TestSpanProcessorStampsExperimentBaggage checks that every span started
// under a ctx whose baggage names an experiment carries the experiment
// and item attributes Langfuse reads, whatever its tracer, with the
// experiment's environment in place of the configured one.
func TestSpanProcessorStampsExperimentBaggage(t *testing.T) {
	attrs := startWithBaggage(t, map[string]string{
		semconv.BaggageExperimentID:                             "run-1",
		semconv.BaggageExperimentName:                           "capitals - 2026",
		semconv.BaggageExperimentDatasetID:                      "ds-1",
		semconv.BaggageExperimentMetadataPrefix + "model":       "gpt-4o",
		semconv.BaggageExperimentItemID:                         "item-1",
		semconv.BaggageExperimentItemVersion:                    "2026-01-02T03:04:05Z",
		semconv.BaggageExperimentItemMetadataPrefix + "country": "FR",
		semconv.BaggageExperimentItemRootObservationID:          "0123456789abcdef",
		semconv.BaggageEnvironment:                              semconv.EnvironmentExperiment,
		"unrelated":                                             "kept out",
	})
	assert.Equal(t, map[string]string{
		semconv.Environment:                              semconv.EnvironmentExperiment,
		semconv.ExperimentID:                             "run-1",
		semconv.ExperimentName:                           "capitals - 2026",
		semconv.ExperimentDatasetID:                      "ds-1",
		semconv.ExperimentMetadataPrefix + "model":       "gpt-4o",
		semconv.ExperimentItemID:                         "item-1",
		semconv.ExperimentItemVersion:                    "2026-01-02T03:04:05Z",
		semconv.ExperimentItemMetadataPrefix + "country": "FR",
		semconv.ExperimentItemRootObservationID:          "0123456789abcdef",
	}, attrs)
}

// TestSpanProcessorExperimentBaggageNeedsAnID checks that baggage without
// an experiment id stamps nothing, langfuse_environment included: the
// processor's behaviour outside experiments is unchanged.
func TestSpanProcessorExperimentBaggageNeedsAnID(t *testing.T) {
	attrs := startWithBaggage(t, map[string]string{
		semconv.BaggageEnvironment:      "other",
		semconv.BaggageExperimentItemID: "item-1",
	})
	assert.Equal(t, map[string]string{semconv.Environment: "prod"}, attrs)
	assert.Equal(t, map[string]string{semconv.Environment: "prod"}, startWithBaggage(t, nil))
}

// TestSpanProcessorExperimentBaggageHostileValues checks that values from
// baggage that Langfuse would not take are left out, not stamped: too
// long, control characters, an environment of the wrong form.
func TestSpanProcessorExperimentBaggageHostileValues(t *testing.T) {
	attrs := startWithBaggage(t, map[string]string{
		semconv.BaggageExperimentID:                 "run-1",
		semconv.BaggageExperimentName:               strings.Repeat("n", 201),
		semconv.BaggageExperimentItemID:             "a\r\nb",
		semconv.BaggageEnvironment:                  "Langfuse-Prod",
		semconv.BaggageExperimentMetadataPrefix:     "no key",
		semconv.BaggageExperimentItemMetadataPrefix: "no key",
	})
	assert.Equal(t, map[string]string{semconv.Environment: "prod", semconv.ExperimentID: "run-1"}, attrs)
}
