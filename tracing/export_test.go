package tracing

import (
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/semconv"
)

// SetClock makes p's log rate limit read the time from now. Call it
// before p is used.
func SetClock(p *ExportProcessor, now func() time.Time) { p.send.now = now }

// Tracer returns the tracer of tp that the client makes observations
// with: scope "langfuse-sdk", which Langfuse recognises as its own.
func Tracer(tp trace.TracerProvider) trace.Tracer {
	return tp.Tracer(semconv.ScopeName, trace.WithInstrumentationVersion(semconv.SDKVersion))
}

// IsKnownLLMScope is isKnownLLMScope for the tests of package tracing_test.
var IsKnownLLMScope = isKnownLLMScope
