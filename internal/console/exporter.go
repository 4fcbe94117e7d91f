// Package console prints traces and scores as trees on a terminal: the
// console exporter that package tracing offers and that a client without
// Langfuse keys uses.
package console

import (
	"bytes"
	"cmp"
	"container/list"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Limits of the console exporter. Buffered spans are held in a compact,
// already formatted form, so the buffer costs a few hundred bytes a span.
const (
	consoleMaxBuffered = 2048 // spans waiting for their trace's root
	consoleMaxPrinted  = 8192 // span ids remembered to recognise late spans
	consoleMaxText     = 80   // runes of input, output, names and messages
	consoleMaxValue    = 40   // runes of a metadata value or attribute
	consoleMaxMeta     = 8    // metadata keys shown per observation
)

// Exporter is the console exporter: an sdktrace.SpanExporter that prints
// each finished trace as an indented tree of observations, and the scores
// given to a trace under its tree. Package tracing's ConsoleExporter is
// its public face, which documents the output; the client of the root
// package uses an Exporter directly, for its spans and its scores.
//
// An Exporter is safe for concurrent use; each call writes its output with
// a single Write. The zero Exporter writes to os.Stdout.
type Exporter struct {
	// W is where the exporter writes; nil means os.Stdout. Set it before
	// the exporter is used.
	W io.Writer
	// NoDurations leaves span durations out, which makes the output
	// stable for tests and examples. Set it before the exporter is used.
	NoDurations bool
	// Label, when it returns anything, labels the first line of each
	// trace: a process whose several clients print to one console says
	// which client printed a trace. It is called once per printed trace.
	// Set it before the exporter is used.
	Label func() string

	maxBuf   int // spans; 0 means consoleMaxBuffered
	maxPrint int // span ids; 0 means consoleMaxPrinted

	mu       sync.Mutex
	stopped  bool
	pending  map[trace.TraceID]*consolePending
	order    list.List // of trace.TraceID, oldest pending trace first
	buffered int
	printed  map[trace.TraceID]map[trace.SpanID]string // span names by id
	porder   []trace.TraceID                           // printed, oldest first
	nprinted int
	out      bytes.Buffer
}

// ExportSpans buffers spans and prints the traces whose root, or late
// spans, are among them. It returns the error of the write, if any. After
// Shutdown it does nothing and returns nil.
func (e *Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return nil
	}
	if e.pending == nil {
		e.pending = make(map[trace.TraceID]*consolePending)
		e.printed = make(map[trace.TraceID]map[trace.SpanID]string)
	}
	for _, ro := range spans {
		if ro == nil {
			continue
		}
		s := newConsoleSpan(ro)
		p := e.pending[s.traceID]
		if p == nil {
			p = &consolePending{}
			p.elem = e.order.PushBack(s.traceID)
			e.pending[s.traceID] = p
		}
		p.spans = append(p.spans, s)
		e.buffered++
		switch {
		case s.root:
			e.flush(s.traceID, consoleComplete)
		case e.printed[s.traceID][s.parentID] != "":
			e.flush(s.traceID, consoleLate)
		}
		for e.buffered > cmp.Or(e.maxBuf, consoleMaxBuffered) {
			e.flush(e.order.Front().Value.(trace.TraceID), consoleEarly)
		}
	}
	return e.write()
}

// Shutdown prints the spans still buffered, whose root never ended, and
// stops the exporter. It is safe to call more than once.
func (e *Exporter) Shutdown(context.Context) error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return nil
	}
	e.stopped = true
	for e.order.Len() > 0 {
		e.flush(e.order.Front().Value.(trace.TraceID), consoleOrphan)
	}
	e.pending, e.printed, e.porder = nil, nil, nil
	return e.write()
}

func (e *Exporter) write() error {
	if e.out.Len() == 0 {
		return nil
	}
	w := e.W
	if w == nil {
		w = os.Stdout
	}
	_, err := w.Write(e.out.Bytes())
	e.out.Reset()
	if err != nil {
		return fmt.Errorf("console exporter: %w", err)
	}
	return nil
}

type consolePending struct {
	spans  []*consoleSpan
	scores []string
	elem   *list.Element
}

// ExportScore prints line, a score given to trace traceID (32 hex
// digits), under that trace's tree: it waits while the trace still has
// spans to come and is printed with them; a score on a trace printed
// already, or on no trace (traceID ""), is printed at once. After Shutdown
// it does nothing.
func (e *Exporter) ExportScore(traceID, line string) error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return nil
	}
	line = consoleText(line, consoleMaxText*2, false)
	id, err := trace.TraceIDFromHex(traceID)
	switch {
	case err != nil:
		e.out.WriteString(line + "\n")
	case e.printed[id] != nil && e.pending[id] == nil:
		fmt.Fprintf(&e.out, "trace %s  (scored after it was printed)\n   %s\n", id, line)
	default:
		if e.pending == nil {
			e.pending = make(map[trace.TraceID]*consolePending)
			e.printed = make(map[trace.TraceID]map[trace.SpanID]string)
		}
		p := e.pending[id]
		if p == nil {
			p = &consolePending{}
			p.elem = e.order.PushBack(id)
			e.pending[id] = p
		}
		p.scores = append(p.scores, line)
		e.buffered++
		for e.buffered > cmp.Or(e.maxBuf, consoleMaxBuffered) {
			e.flush(e.order.Front().Value.(trace.TraceID), consoleEarly)
		}
	}
	return e.write()
}

// consoleReason says why a trace is printed; it picks the header's note.
type consoleReason int

const (
	consoleComplete consoleReason = iota // its root ended
	consoleLate                          // a span whose parent was printed ended
	consoleEarly                         // the buffer is full
	consoleOrphan                        // Shutdown
)

// flush prints the buffered spans of trace id and forgets them.
func (e *Exporter) flush(id trace.TraceID, why consoleReason) {
	p := e.pending[id]
	delete(e.pending, id)
	e.order.Remove(p.elem)
	e.buffered -= len(p.spans) + len(p.scores)
	names := e.printed[id]
	if len(p.spans) > 0 {
		e.render(p.spans, why, names)
	} else {
		fmt.Fprintf(&e.out, "trace %s\n", id)
	}
	for _, line := range p.scores {
		e.out.WriteString("   " + line + "\n")
	}

	if names == nil {
		names = make(map[trace.SpanID]string, len(p.spans))
		e.printed[id] = names
		e.porder = append(e.porder, id)
	}
	for _, s := range p.spans {
		if _, ok := names[s.spanID]; !ok && s.spanID.IsValid() {
			names[s.spanID] = s.name
			e.nprinted++
		}
	}
	for e.nprinted > cmp.Or(e.maxPrint, consoleMaxPrinted) && len(e.porder) > 0 {
		e.nprinted -= len(e.printed[e.porder[0]])
		delete(e.printed, e.porder[0])
		e.porder = e.porder[1:]
	}
}

// render writes the spans of one trace as a tree. earlier holds the names
// of the trace's spans printed before, by span id.
func (e *Exporter) render(spans []*consoleSpan, why consoleReason, earlier map[trace.SpanID]string) {
	slices.SortStableFunc(spans, func(a, b *consoleSpan) int { return a.start.Compare(b.start) })
	byID := make(map[trace.SpanID]*consoleSpan, len(spans))
	for _, s := range spans {
		if _, dup := byID[s.spanID]; !dup && s.spanID.IsValid() {
			byID[s.spanID] = s
		}
	}
	children := make(map[*consoleSpan][]*consoleSpan)
	var tops []*consoleSpan
	for _, s := range spans {
		if parent := byID[s.parentID]; parent != nil && !s.root && s.parentID.IsValid() {
			children[parent] = append(children[parent], s)
		} else {
			tops = append(tops, s)
		}
	}
	// Spans in a parent cycle, possible only in odd input, are reachable
	// from no top; the earliest of each cycle becomes a top.
	seen := make(map[*consoleSpan]bool, len(spans))
	var mark func(*consoleSpan)
	mark = func(s *consoleSpan) {
		if !seen[s] {
			seen[s] = true
			for _, c := range children[s] {
				mark(c)
			}
		}
	}
	for _, s := range tops {
		mark(s)
	}
	for _, s := range spans {
		if !seen[s] {
			tops = append(tops, s)
			mark(s)
		}
	}

	// The header takes each trace attribute from the first span that has
	// it, tops first.
	var h consoleHeader
	for _, s := range slices.Concat(tops, spans) {
		for i, f := range s.header {
			if h[i] == "" {
				h[i] = f
			}
		}
	}
	b := &e.out
	fmt.Fprintf(b, "trace %s", spans[0].traceID)
	if e.Label != nil {
		if l := e.Label(); l != "" {
			b.WriteString("  [" + consoleText(l, consoleMaxText, false) + "]")
		}
	}
	h.write(b)
	switch {
	case why == consoleLate:
		b.WriteString("  (late: ended after the trace was printed)")
	case why == consoleEarly:
		b.WriteString("  (incomplete: buffer full, printed before its root ended)")
	case why == consoleOrphan && earlier != nil:
		b.WriteString("  (late: ended after the trace was printed, parent never ended)")
	case why == consoleOrphan:
		b.WriteString("  (incomplete: root never ended)")
	}
	b.WriteByte('\n')

	clear(seen)
	var walk func(s *consoleSpan, prefix string, last, top bool)
	walk = func(s *consoleSpan, prefix string, last, top bool) {
		seen[s] = true
		var kids []*consoleSpan
		for _, c := range children[s] {
			if !seen[c] {
				kids = append(kids, c)
			}
		}
		branch, next := "├─ ", "│  "
		if last {
			branch, next = "└─ ", "   "
		}
		b.WriteString(prefix + branch)
		e.line(s, top, earlier)
		detail := prefix + next + "   "
		if len(kids) > 0 {
			detail = prefix + next + "│  "
		}
		for _, d := range s.details {
			b.WriteString(detail + d + "\n")
		}
		for i, c := range kids {
			walk(c, prefix+next, i == len(kids)-1, false)
		}
	}
	for i, s := range tops {
		walk(s, "", i == len(tops)-1, true)
	}
}

// line writes the main line of a span: name, type, duration, extras.
func (e *Exporter) line(s *consoleSpan, top bool, earlier map[trace.SpanID]string) {
	b := &e.out
	b.WriteString(s.name + "  " + s.kind)
	if !e.NoDurations && s.duration != "" {
		b.WriteString("  " + s.duration)
	}
	if !e.NoDurations && s.ttft != "" {
		b.WriteString("  ttft=" + s.ttft)
	}
	if s.extras != "" {
		b.WriteString("  " + s.extras)
	}
	switch {
	case !top:
	case s.root && s.remoteParent:
		fmt.Fprintf(b, "  (remote parent %s)", s.parentID)
	case s.root:
	case earlier[s.parentID] != "":
		fmt.Fprintf(b, "  (parent %s)", earlier[s.parentID])
	case s.parentID.IsValid():
		fmt.Fprintf(b, "  (parent %s missing)", s.parentID)
	}
	b.WriteByte('\n')
}

// consoleSpan is a span as the console exporter keeps it: formatted and
// cut at arrival, so a buffered span does not retain large attributes.
