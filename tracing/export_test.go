package tracing

import (
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/semconv"
)

// SetClock makes p's log rate limit read the time from now. Call it
// before p is used.
func SetClock(p *ExportProcessor, now func() time.Time) { p.send.now = now }

// SetRetryWaits makes e wait from first up to most between retries, so
// that tests of retries take milliseconds. Call it before e is used.
func SetRetryWaits(e *Exporter, first, most time.Duration) { e.firstWait, e.maxWait = first, most }

// Tracer returns the tracer of tp that the client makes observations
// with: scope "langfuse-sdk", which Langfuse recognises as its own.
func Tracer(tp trace.TracerProvider) trace.Tracer {
	return tp.Tracer(semconv.ScopeName, trace.WithInstrumentationVersion(semconv.SDKVersion))
}

// IsKnownLLMScope is isKnownLLMScope for the tests of package tracing_test.
var IsKnownLLMScope = isKnownLLMScope
