package tracing

import (
	"context"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/config"
)

// ExportProcessor hands the ended spans that pass its Filter to an
// exporter: in batches from a bounded queue on its own goroutine, or, in
// immediate mode, one by one on the goroutine that ends them.
//
// Unlike the SDK's batch processor it counts the spans it drops because
// the queue is full (Dropped) and warns when it happens, and it
// marks the first exported span under a parent that is not exported with
// langfuse.internal.is_app_root, so Langfuse shows it as the top of the
// application's part of the trace. Export problems are logged at warning
// level the first time and then at most once a minute per kind while they
// recur, with how many times they happened since the last line; they
// never reach the code that ended the span. Failed, Dropped and LastError
// tell a program about them, and so does the error of ForceFlush.
//
// It is safe for concurrent use. The methods of a nil *ExportProcessor do
// nothing.
type ExportProcessor struct {
	head sdktrace.SpanProcessor // the filter, then the batch or immediate stage
	send *sender
}

var _ sdktrace.SpanProcessor = (*ExportProcessor)(nil)

// NewExportProcessor returns an ExportProcessor for exp configured by cfg:
// ExportMode, FlushAt (batch size), FlushInterval, MaxQueueSize and
// Timeout (per export). In batched mode it starts one goroutine, which
// Shutdown stops.
func NewExportProcessor(cfg config.Config, exp sdktrace.SpanExporter, opts ...Option) *ExportProcessor {
	o := resolveOptions(opts)
	send := newSender(exp, cfg.Timeout, o.logger)
	var next sdktrace.SpanProcessor
	if cfg.ExportMode == config.ExportImmediate {
		next = newImmediateProcessor(send)
	} else {
		next = newBatchProcessor(send, cfg.FlushAt, cfg.MaxQueueSize, cfg.FlushInterval)
	}
	return &ExportProcessor{head: appRootProcessor{filter: o.filter, next: next}, send: send}
}

// OnStart marks s as an application root when s will be exported but its
// parent will not: a remote parent, or a local span the filter drops.
func (p *ExportProcessor) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	if p != nil {
		p.head.OnStart(ctx, s)
	}
}

// OnEnd queues s for export, or in immediate mode exports it, if it is
// sampled and the filter keeps it. When the queue is full the span is
// dropped and counted.
func (p *ExportProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	if p != nil {
		p.head.OnEnd(s)
	}
}

// ForceFlush exports the spans queued when it is called and returns when
// that is done or ctx ends; in immediate mode, where each span is exported
// by the End that ends it, it waits for the exports in flight on other
// goroutines when it is called. Spans that end while it runs are left for
// later, so that it returns even when spans end faster than they are
// exported. It returns the error of an export it waited for, so that a
// program that flushes learns that spans were lost.
func (p *ExportProcessor) ForceFlush(ctx context.Context) error {
	if p == nil {
		return nil
	}
	return p.head.ForceFlush(ctx)
}

// Shutdown exports every queued span, or in immediate mode waits for the
// exports in flight, then shuts the exporter down. It returns when that is
// done or ctx ends; if ctx ends first, or has ended already, the exports
// still running are cancelled and their spans counted as dropped before it
// returns, so that the counts are final. It returns the errors of the
// exports it waited for (as ForceFlush does) and, when it gave spans up,
// how many, with ctx's error. A span that ends afterwards, even one that
// started before, is not exported and is counted as dropped. Only the
// first call does anything.
//
// The exporter must honour the cancellation of the ctx of its
// ExportSpans, as sdktrace.SpanExporter requires: Shutdown waits for the
// cancelled exports to return.
func (p *ExportProcessor) Shutdown(ctx context.Context) error {
	if p == nil {
		return nil
	}
	return p.head.Shutdown(ctx)
}

// Dropped returns how many spans will never be delivered: because the
// queue was full, because Shutdown's ctx ended before they were exported,
// because they ended after Shutdown,
// because their export failed (a batch rejected with 400 or 413, a 401,
// a 500, retries run out: every request Failed counts), because the
// server rejected them in an OTLP partial success, or because a span was
// too large for any request (16 MiB).
func (p *ExportProcessor) Dropped() uint64 {
	if p == nil {
		return 0
	}
	return p.send.dropped.Load()
}

// Exported returns how many spans the exporter accepted, not counting
// those a partial success rejected.
func (p *ExportProcessor) Exported() uint64 {
	if p == nil {
		return 0
	}
	return p.send.exported.Load()
}

// Failed returns how many export requests failed, not counting those
// that Shutdown gave up on (their spans count as dropped) nor those
// answered with a partial success (a 2xx, whose rejected spans count as
// dropped).
func (p *ExportProcessor) Failed() uint64 {
	if p == nil {
		return 0
	}
	return p.send.failed.Load()
}

// LastError returns the error of the latest export request that failed
// or whose partial success rejected spans (an *ExportError of Kind
// "partial"), or nil if there was none. It is not reset by a later
// success.
func (p *ExportProcessor) LastError() error {
	if p == nil {
		return nil
	}
	return p.send.lastError()
}
