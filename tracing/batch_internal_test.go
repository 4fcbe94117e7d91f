package tracing

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// batchRecorder passes each batch it exports to a channel.
type batchRecorder struct{ batches chan []sdktrace.ReadOnlySpan }

func (r batchRecorder) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	r.batches <- append([]sdktrace.ReadOnlySpan(nil), spans...)
	return nil
}

func (batchRecorder) Shutdown(context.Context) error { return nil }

// TestBatchOnEndLeavesTheWorkToTheExportGoroutine checks what ending a
// span costs the goroutine that ends it in batched mode with an exporter
// of the program's own: the span is queued as it is, its strings are made
// valid UTF-8 on the export goroutine, and that goroutine is woken once a
// batch's worth is queued, not for each span.
func TestBatchOnEndLeavesTheWorkToTheExportGoroutine(t *testing.T) {
	rec := batchRecorder{batches: make(chan []sdktrace.ReadOnlySpan, 4)}
	send := newSender(rec, time.Minute, slog.New(slog.DiscardHandler))
	// No interval passes during the test: batches go out when full.
	p := newBatchProcessor(send, 3, 10, time.Hour)
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })

	invalid := tracetest.SpanStub{Name: "bad \xff name"}.Snapshot()
	p.OnEnd(invalid)
	p.OnEnd(invalid)
	require.Len(t, p.queue, 2, "spans below a batch wait in the queue: the export goroutine is not woken for them")
	queued := <-p.queue
	_, repaired := queued.(*fixedSpan)
	assert.False(t, repaired, "OnEnd queues the span as it is, without repairing it")
	assert.Equal(t, "bad \xff name", queued.Name())
	p.OnEnd(queued)

	p.OnEnd(invalid) // the third span: a batch's worth
	select {
	case batch := <-rec.batches:
		require.Len(t, batch, 3)
		for _, s := range batch {
			assert.Equal(t, "bad \uFFFD name", s.Name(), "repaired on the export goroutine before the exporter sees it")
		}
	case <-time.After(time.Minute):
		t.Fatal("a batch's worth of spans was not exported")
	}
}
