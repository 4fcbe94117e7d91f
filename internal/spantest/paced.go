// Package spantest is what the tests of several packages of the module
// share about exporting spans. It is imported by tests only, which the
// linter's depguard rules hold.
package spantest

import (
	"context"
	"sync"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// PacedExporter takes one token from its producer (see Produce) for every
// span it exports, so that the spans the producer ends keep pace with the
// spans exported and the queue never empties: a producer faster than
// export, without timing. Once more than limit spans were exported it
// stops pacing and the producer stops; a Flush that is bounded returns
// long before. It is safe for concurrent use.
type PacedExporter struct {
	produced chan struct{}
	stop     chan struct{}
	once     sync.Once
	limit    int64
	exported atomic.Int64
}

var _ sdktrace.SpanExporter = (*PacedExporter)(nil)

// NewPacedExporter returns a PacedExporter that paces its first limit
// spans.
func NewPacedExporter(limit int64) *PacedExporter {
	return &PacedExporter{produced: make(chan struct{}), stop: make(chan struct{}), limit: limit}
}

// ExportSpans counts spans and takes a token for each, unless the limit is
// passed or the exporter halted.
func (e *PacedExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.exported.Add(int64(len(spans))) > e.limit {
		e.Halt()
		return nil
	}
	for range spans {
		select {
		case <-e.produced:
		case <-e.stop:
			return nil
		}
	}
	return nil
}

// Shutdown halts the exporter.
func (e *PacedExporter) Shutdown(context.Context) error { e.Halt(); return nil }

// Halt stops the pacing, and with it the producer; it may be called more
// than once.
func (e *PacedExporter) Halt() { e.once.Do(func() { close(e.stop) }) }

// Exported returns how many spans were exported so far.
func (e *PacedExporter) Exported() int64 { return e.exported.Load() }

// Produce starts the producer on a goroutine of its own: it calls end,
// which ends a span, then waits until the exporter takes its token, over
// and over until the exporter halts. The function it returns halts the
// exporter and returns once the producer has stopped.
func (e *PacedExporter) Produce(end func()) (halt func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			end()
			select {
			case e.produced <- struct{}{}:
			case <-e.stop:
				return
			}
		}
	}()
	return func() {
		e.Halt()
		<-done
	}
}
