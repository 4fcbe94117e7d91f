package langfuseanthropic_test

import (
	"context"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// TestSDKOwnSpans: given the Langfuse client's TracerProvider, the SDK
// makes OpenTelemetry spans of its own that Langfuse would show beside
// the transport's generation; option.WithOpenTelemetryTraces(false), as
// the package doc advises, leaves the generation alone.
func TestSDKOwnSpans(t *testing.T) {
	t.Parallel()
	for _, sdkTraces := range []bool{true, false} {
		rec := langfusetest.NewRecorder()
		lf, err := langfuse.New(langfuse.WithSpanExporter(rec), langfuse.AsDefault(false))
		require.NoError(t, err)
		ctx := lf.Context(context.Background())
		api := llmtest.NewFakeAPI(t, llmtest.Sequence(jsonAnswer(200, textMessageJSON)))
		client := newClientWith(api.URL, langfuseanthropic.NewTransport(nil), option.WithMaxRetries(0),
			option.WithTracerProvider(lf.TracerProvider()), option.WithOpenTelemetryTraces(sdkTraces))

		_, err = client.Messages.New(ctx, userParams("Hi"))
		require.NoError(t, err)
		require.NoError(t, lf.Shutdown(context.Background()))

		var names []string
		for _, o := range rec.Observations() {
			names = append(names, o.Name+" ("+o.Scope+")")
		}
		if sdkTraces {
			assert.Greater(t, len(names), 1, "the SDK's own spans are exported too: %v", names)
		} else {
			assert.Equal(t, []string{generationName + " (langfuse-sdk)"}, names)
		}
	}
}
