package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/attrs"
)

// ExportProcessor hands the ended spans that pass its Filter to an
// exporter: in batches from a bounded queue on its own goroutine, or, in
// immediate mode, one by one on the goroutine that ends them.
//
// Unlike the SDK's batch processor it counts the spans it drops because
// the queue is full (Dropped) and warns the first time it happens, and it
// marks the first exported span under a parent that is not exported with
// langfuse.internal.is_app_root, so Langfuse shows it as the top of the
// application's part of the trace. Export errors are logged, once per
// kind, and never reach the code that ended the span.
//
// It is safe for concurrent use.
type ExportProcessor struct {
	exp       sdktrace.SpanExporter
	filter    Filter
	logger    *slog.Logger
	immediate bool
	batchSize int
	interval  time.Duration
	timeout   time.Duration
	queueSize int

	queue   chan sdktrace.ReadOnlySpan
	flushes chan chan struct{}
	stop    chan struct{}
	done    chan struct{}

	// exportCtx is the parent of every export; Shutdown cancels it when
	// its own ctx ends first, so no export outlives Shutdown for long.
	exportCtx   context.Context
	abortExport context.CancelFunc

	exportMu sync.Mutex // batched mode: one export at a time, in order

	// Immediate mode: exports in flight, so Shutdown can wait for them.
	inflightMu sync.Mutex
	inflight   int
	idle       chan struct{} // closed when inflight drops to 0
	dropped    atomic.Uint64
	exported   atomic.Uint64
	stopped    atomic.Bool
	warned     sync.Map // kind -> struct{}

	shutdownOnce sync.Once
	shutdownErr  error
}

var _ sdktrace.SpanProcessor = (*ExportProcessor)(nil)

// Option configures an ExportProcessor or the Langfuse exporter.
type Option interface {
	apply(*options)
}

type options struct {
	filter Filter
	logger *slog.Logger
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithFilter sets which spans are exported; the default is DefaultFilter.
// Pass ExportAll to export every span.
func WithFilter(f Filter) Option {
	return optionFunc(func(o *options) { o.filter = f })
}

// WithLogger sets the logger for export warnings; the default is
// slog.Default().
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) { o.logger = l })
}

func resolveOptions(opts []Option) options {
	o := options{filter: DefaultFilter}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	if o.filter == nil {
		o.filter = DefaultFilter
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return o
}

// NewExportProcessor returns an ExportProcessor for exp configured by cfg:
// ExportMode, FlushAt (batch size), FlushInterval, MaxQueueSize and
// Timeout (per export). In batched mode it starts one goroutine, which
// Shutdown stops.
func NewExportProcessor(cfg config.Config, exp sdktrace.SpanExporter, opts ...Option) *ExportProcessor {
	o := resolveOptions(opts)
	p := &ExportProcessor{
		exp:       exp,
		filter:    o.filter,
		logger:    o.logger,
		immediate: cfg.ExportMode == config.ExportImmediate,
		batchSize: max(cfg.FlushAt, 1),
		interval:  cfg.FlushInterval,
		timeout:   cfg.Timeout,
		queueSize: max(cfg.MaxQueueSize, 1),
		done:      make(chan struct{}),
	}
	p.exportCtx, p.abortExport = context.WithCancel(context.Background())
	if p.interval <= 0 {
		p.interval = 5 * time.Second
	}
	if p.timeout <= 0 {
		p.timeout = 5 * time.Second
	}
	if p.immediate {
		close(p.done)
		return p
	}
	p.queue = make(chan sdktrace.ReadOnlySpan, p.queueSize)
	p.flushes = make(chan chan struct{})
	p.stop = make(chan struct{})
	go p.run()
	return p
}

// unwrapper is implemented by spans that wrap an SDK span, such as the
// observations' spans.
type unwrapper interface{ Unwrap() trace.Span }

// OnStart marks s as an application root when s will be exported but its
// parent will not: a remote parent, or a local span the filter drops.
func (p *ExportProcessor) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	psc := s.Parent()
	if !psc.IsValid() || !p.filter(s) {
		return
	}
	if !psc.IsRemote() {
		parent := trace.SpanFromContext(ctx)
		if u, ok := parent.(unwrapper); ok {
			parent = u.Unwrap()
		}
		ro, ok := parent.(sdktrace.ReadOnlySpan)
		if !ok || ro.SpanContext().SpanID() != psc.SpanID() || p.filter(ro) {
			return
		}
	}
	s.SetAttributes(attribute.Bool(attrs.IsAppRoot, true))
}

// OnEnd queues s for export if the filter keeps it. When the queue is full
// the span is dropped and counted.
func (p *ExportProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	if p.stopped.Load() || !s.SpanContext().IsSampled() || !p.filter(s) {
		return
	}
	if p.immediate {
		if !p.beginImmediate() {
			return
		}
		defer p.endImmediate()
		p.export([]sdktrace.ReadOnlySpan{s})
		return
	}
	select {
	case p.queue <- s:
	default:
		if p.dropped.Add(1) == 1 {
			p.logger.Warn("langfuse: export queue full, dropping spans; raise "+config.EnvMaxQueueSize+
				" or export more often (the count is Client.DroppedSpans)", "queue_size", p.queueSize)
		}
	}
}

// Dropped returns how many spans were dropped: because the queue was
// full, or because Shutdown's ctx ended before they were exported.
func (p *ExportProcessor) Dropped() uint64 { return p.dropped.Load() }

// Exported returns how many spans the exporter accepted.
func (p *ExportProcessor) Exported() uint64 { return p.exported.Load() }

// ForceFlush exports every queued span and returns when that is done or
// ctx ends.
func (p *ExportProcessor) ForceFlush(ctx context.Context) error {
	if p.immediate || p.stopped.Load() {
		return ctx.Err()
	}
	ack := make(chan struct{})
	select {
	case p.flushes <- ack:
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown exports every queued span, then shuts the exporter down. It
// returns when that is done or ctx ends; spans that end afterwards are not
// exported. Only the first call does anything.
func (p *ExportProcessor) Shutdown(ctx context.Context) error {
	p.shutdownOnce.Do(func() {
		if p.immediate {
			if err := p.waitImmediate(ctx); err != nil {
				p.abortExport()
				p.shutdownErr = fmt.Errorf("spans still being exported: %w", err)
				_ = p.exp.Shutdown(ctx)
				return
			}
		}
		p.stopped.Store(true)
		if !p.immediate {
			close(p.stop)
			select {
			case <-p.done:
			case <-ctx.Done():
				// Give up on what is left: the export goroutine finds its
				// exports cancelled, counts their spans as dropped and ends.
				p.abortExport()
				p.shutdownErr = fmt.Errorf("spans still queued: %w", ctx.Err())
				return
			}
		}
		if err := p.exp.Shutdown(ctx); err != nil {
			p.shutdownErr = err
		}
		p.abortExport()
	})
	return p.shutdownErr
}

// beginImmediate counts an export in flight, unless Shutdown has begun.
func (p *ExportProcessor) beginImmediate() bool {
	p.inflightMu.Lock()
	defer p.inflightMu.Unlock()
	if p.stopped.Load() {
		return false
	}
	p.inflight++
	return true
}

func (p *ExportProcessor) endImmediate() {
	p.inflightMu.Lock()
	defer p.inflightMu.Unlock()
	p.inflight--
	if p.inflight == 0 && p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
}

// waitImmediate stops new immediate exports and waits for those in flight
// or for ctx.
func (p *ExportProcessor) waitImmediate(ctx context.Context) error {
	p.inflightMu.Lock()
	p.stopped.Store(true)
	if p.inflight == 0 {
		p.inflightMu.Unlock()
		return nil
	}
	if p.idle == nil {
		p.idle = make(chan struct{})
	}
	idle := p.idle
	p.inflightMu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run is the export goroutine of batched mode.
func (p *ExportProcessor) run() {
	defer close(p.done)
	batch := make([]sdktrace.ReadOnlySpan, 0, p.batchSize)
	timer := time.NewTimer(p.interval)
	defer timer.Stop()
	flush := func() {
		if len(batch) > 0 {
			p.export(batch)
			batch = batch[:0]
		}
	}
	drain := func() {
		for {
			select {
			case s := <-p.queue:
				batch = append(batch, s)
				if len(batch) >= p.batchSize {
					flush()
				}
			default:
				flush()
				return
			}
		}
	}
	for {
		select {
		case s := <-p.queue:
			batch = append(batch, s)
			if len(batch) >= p.batchSize {
				flush()
				timer.Reset(p.interval)
			}
		case <-timer.C:
			flush()
			timer.Reset(p.interval)
		case ack := <-p.flushes:
			drain()
			close(ack)
		case <-p.stop:
			drain()
			return
		}
	}
}

// export sends one batch, bounded by the export timeout, and logs a
// failure once per kind.
func (p *ExportProcessor) export(batch []sdktrace.ReadOnlySpan) {
	if !p.immediate {
		p.exportMu.Lock()
		defer p.exportMu.Unlock()
	}
	// Twice the request timeout: the exporter retries for up to one
	// timeout and its last attempt may take another.
	if p.exportCtx.Err() != nil {
		p.dropped.Add(uint64(len(batch)))
		return
	}
	ctx, cancel := context.WithTimeout(p.exportCtx, 2*p.timeout)
	defer cancel()
	if err := p.exp.ExportSpans(ctx, batch); err != nil {
		if p.exportCtx.Err() != nil {
			p.dropped.Add(uint64(len(batch)))
			if _, seen := p.warned.LoadOrStore("shutdown", struct{}{}); !seen {
				p.logger.Warn("langfuse: shutdown ended before every span was exported; the rest are counted as dropped")
			}
			return
		}
		p.reportError(err, len(batch))
		return
	}
	p.exported.Add(uint64(len(batch)))
}

func (p *ExportProcessor) reportError(err error, n int) {
	kind, msg := "failed", "langfuse: export failed"
	if errors.Is(err, context.DeadlineExceeded) {
		kind, msg = "timeout", "langfuse: export timed out; check that "+config.EnvBaseURL+" answers, or raise "+config.EnvTimeout
	}
	var ee *ExportError
	if errors.As(err, &ee) {
		kind, msg, err = ee.Kind, "langfuse: "+ee.Hint, ee.Err
	}
	if _, seen := p.warned.LoadOrStore(kind, struct{}{}); seen {
		p.logger.Debug(msg, "spans", n, "error", err)
		return
	}
	p.logger.Warn(msg, "spans", n, "error", err)
}
