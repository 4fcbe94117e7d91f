package tracing

import (
	"context"
	"fmt"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// immediateProcessor exports each span on the goroutine that ends it, in
// a request of its own. Exports of different goroutines run side by side;
// Shutdown waits for those in flight. It is safe for concurrent use.
type immediateProcessor struct {
	send *sender

	mu       sync.Mutex
	stopped  bool
	inflight int
	idle     chan struct{} // closed when inflight drops to 0, if waited for

	shutdownOnce sync.Once
	shutdownErr  error
}

var _ sdktrace.SpanProcessor = (*immediateProcessor)(nil)

func newImmediateProcessor(send *sender) *immediateProcessor {
	return &immediateProcessor{send: send}
}

// OnStart does nothing.
func (p *immediateProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd exports s and returns when that is done, unless Shutdown has
// begun.
func (p *immediateProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	if !p.begin() {
		return
	}
	defer p.end()
	_ = p.send.send([]sdktrace.ReadOnlySpan{s})
}

// ForceFlush has nothing to flush: every span is exported before its End
// returns.
func (p *immediateProcessor) ForceFlush(ctx context.Context) error { return ctx.Err() }

// Shutdown stops new exports, waits for those in flight, then shuts the
// exporter down. If ctx ends first, the exports in flight are cancelled.
// Only the first call does anything.
func (p *immediateProcessor) Shutdown(ctx context.Context) error {
	p.shutdownOnce.Do(func() {
		if err := p.wait(ctx); err != nil {
			p.send.abort()
			p.shutdownErr = fmt.Errorf("spans still being exported: %w", err)
			_ = p.send.shutdownExporter(ctx)
			return
		}
		p.shutdownErr = p.send.shutdownExporter(ctx)
	})
	return p.shutdownErr
}

// begin counts an export in flight, unless Shutdown has begun.
func (p *immediateProcessor) begin() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return false
	}
	p.inflight++
	return true
}

func (p *immediateProcessor) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	if p.inflight == 0 && p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
}

// wait stops new exports and waits for those in flight or for ctx.
func (p *immediateProcessor) wait(ctx context.Context) error {
	p.mu.Lock()
	p.stopped = true
	if p.inflight == 0 {
		p.mu.Unlock()
		return nil
	}
	if p.idle == nil {
		p.idle = make(chan struct{})
	}
	idle := p.idle
	p.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
