package tracing_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/tracing"
)

// TestConsoleExporterValues checks the public face of the console
// exporter (the printing itself is tested in internal/console): a nil
// exporter does nothing, the zero value works, and options apply.
func TestConsoleExporterValues(t *testing.T) {
	var none *tracing.ConsoleExporter
	assert.NoError(t, none.ExportSpans(context.Background(), nil))
	assert.NoError(t, none.Shutdown(context.Background()))

	var zero tracing.ConsoleExporter
	assert.NoError(t, zero.ExportSpans(context.Background(), nil))
	assert.NoError(t, zero.Shutdown(context.Background()))

	var buf bytes.Buffer
	e := tracing.NewConsoleExporter(&buf, tracing.WithoutDurations(), nil)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(e))
	_, s := tp.Tracer("langfuse-sdk").Start(context.Background(), "root")
	s.End()
	require.NoError(t, tp.Shutdown(context.Background()))
	assert.Regexp(t, `^trace [0-9a-f]{32}\n└─ root  span\n$`, buf.String(), "no duration printed")
}
