package tracing

import (
	"context"
	"io"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/internal/console"
)

// ConsoleExporter is an sdktrace.SpanExporter that prints each finished
// trace as an indented tree of observations, so that a developer sees what
// would be sent to Langfuse.
//
// Spans are buffered per trace until the trace's root ends: a span without
// a parent, with a remote parent, or marked with langfuse.internal.as_root
// or langfuse.internal.is_app_root. All the trace's buffered spans are then
// printed at once, children sorted by start time. Spans that end after
// their parent was printed, such as those of goroutines that outlived the
// root, are printed as a separate tree marked as late. At most 2048 spans
// are buffered; beyond that the oldest trace is printed early, marked as
// incomplete. Shutdown prints whatever is still buffered.
//
// Each span takes one line: name, observation type, duration, then for
// generations and embeddings the time to first token, the HTTP status of
// a handler's observation, and for generations and embeddings the model,
// usage, cost and prompt (usage and cost whole). Lines below it show a
// level other than DEFAULT or an error status with its message, the
// input, the output and the metadata. Text is kept to one line, control
// characters escaped, and cut to 80 characters.
//
// A ConsoleExporter is safe for concurrent use; each call writes its output
// with a single Write. The zero ConsoleExporter writes to os.Stdout, and
// the methods of a nil *ConsoleExporter do nothing.
type ConsoleExporter struct {
	e console.Exporter
}

var _ sdktrace.SpanExporter = (*ConsoleExporter)(nil)

// ConsoleOption configures a ConsoleExporter. Options are values that can
// be shared, and safe for concurrent use.
type ConsoleOption interface {
	apply(*console.Exporter)
}

type consoleOptionFunc func(*console.Exporter)

func (f consoleOptionFunc) apply(e *console.Exporter) { f(e) }

// WithoutDurations omits span durations from the output, which makes it
// stable for tests and examples.
func WithoutDurations() ConsoleOption {
	return consoleOptionFunc(func(e *console.Exporter) { e.NoDurations = true })
}

// WithTraceLabel labels the first line of each trace with what label
// returns, when it returns anything: a process whose several clients
// print to one console says which client printed a trace. It is called
// once per printed trace.
func WithTraceLabel(label func() string) ConsoleOption {
	return consoleOptionFunc(func(e *console.Exporter) { e.Label = label })
}

// NewConsoleExporter returns a ConsoleExporter that writes to w, or to
// os.Stdout if w is nil.
func NewConsoleExporter(w io.Writer, opts ...ConsoleOption) *ConsoleExporter {
	c := &ConsoleExporter{}
	c.e.W = w
	for _, o := range opts {
		if o != nil {
			o.apply(&c.e)
		}
	}
	return c
}

// ExportSpans buffers spans and prints the traces whose root, or late
// spans, are among them. It returns the error of the write, if any, or
// ctx's error when ctx has ended. After Shutdown it does nothing and
// returns nil.
func (c *ConsoleExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if c == nil {
		return nil
	}
	return c.e.ExportSpans(ctx, spans)
}

// Shutdown prints the spans still buffered, whose root never ended, and
// stops the exporter. It is safe to call more than once.
func (c *ConsoleExporter) Shutdown(ctx context.Context) error {
	if c == nil {
		return nil
	}
	return c.e.Shutdown(ctx)
}
