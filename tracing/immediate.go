package tracing

import (
	"context"
	"fmt"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// immediateProcessor exports each span on the goroutine that ends it, in
// a request of its own. Exports of different goroutines run side by side;
// ForceFlush and Shutdown wait for those in flight. It is safe for
// concurrent use.
type immediateProcessor struct {
	send *sender

	mu       sync.Mutex
	stopped  bool
	inflight map[*flight]struct{}
	idle     chan struct{} // closed when inflight empties, if waited for

	shutdownOnce sync.Once
	shutdownErr  error
}

var _ sdktrace.SpanProcessor = (*immediateProcessor)(nil)

// flight is one export in flight: done is closed when it returns, after
// err is set.
type flight struct {
	done chan struct{}
	err  error
}

func newImmediateProcessor(send *sender) *immediateProcessor {
	return &immediateProcessor{send: send, inflight: map[*flight]struct{}{}}
}

// OnStart does nothing.
func (p *immediateProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

// OnEnd exports s and returns when that is done, unless Shutdown has
// begun.
func (p *immediateProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	f := p.begin()
	if f == nil {
		return
	}
	var err error
	defer func() { p.end(f, err) }()
	err = p.send.send([]sdktrace.ReadOnlySpan{p.send.valid(s)})
}

// ForceFlush waits for the exports in flight when it is called, on other
// goroutines, and returns when they are done or ctx ends. It returns the
// error of an export it waited for: the last one's, with how many failed
// when more than one did, as the batch processor's ForceFlush does.
// Exports that begin while it waits are not waited for, so that a steady
// stream of spans cannot keep it waiting.
func (p *immediateProcessor) ForceFlush(ctx context.Context) error {
	p.mu.Lock()
	flights := make([]*flight, 0, len(p.inflight))
	for f := range p.inflight {
		flights = append(flights, f)
	}
	p.mu.Unlock()
	var last error
	failed := 0
	for _, f := range flights {
		select {
		case <-f.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if f.err != nil {
			failed++
			last = f.err
		}
	}
	if failed > 1 {
		return fmt.Errorf("%d of %d exports failed, the last: %w", failed, len(flights), last)
	}
	if last != nil {
		return last
	}
	return ctx.Err()
}

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

// begin notes an export in flight, unless Shutdown has begun, when it
// returns nil.
func (p *immediateProcessor) begin() *flight {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return nil
	}
	f := &flight{done: make(chan struct{})}
	p.inflight[f] = struct{}{}
	return f
}

// end records the error of f, tells whoever waits for it, and forgets it.
func (p *immediateProcessor) end(f *flight, err error) {
	f.err = err
	close(f.done)
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.inflight, f)
	if len(p.inflight) == 0 && p.idle != nil {
		close(p.idle)
		p.idle = nil
	}
}

// wait stops new exports and waits for those in flight or for ctx.
func (p *immediateProcessor) wait(ctx context.Context) error {
	p.mu.Lock()
	p.stopped = true
	if len(p.inflight) == 0 {
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
