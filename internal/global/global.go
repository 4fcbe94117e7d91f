// Package global holds the client state that observations read on every
// call (the tracer, the capture settings, the logger) and the default
// client's pointer. The root package makes a State per client and stores
// the default one; a context can carry another (see package core).
package global

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/internal/scores"
	"github.com/observe-go/langfuse/internal/warn"
)

// State is what observations need from one client. Its fields are set
// before the State is published and never change; only Stop changes it.
// It is safe for concurrent use.
type State struct {
	// Tracer creates observation spans, scope "langfuse-sdk"; nil for a
	// client with tracing disabled.
	Tracer trace.Tracer
	// CaptureIO is the default for wrappers' input and output capture
	// (LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED).
	CaptureIO bool
	// MaxBytes limits each captured value (LANGFUSE_CAPTURE_MAX_BYTES).
	MaxBytes int
	// Mask, when set, redacts every captured value before it is encoded.
	Mask func(any) any
	// TextMask, when set, redacts the encoded text of every captured
	// value and message, whatever its Go type.
	TextMask func(string) string
	// RedactNames and KeepNames change the names whose captured values
	// are redacted (capture.Options.RedactNames and KeepNames).
	RedactNames, KeepNames []string
	// Logger receives warnings about bad input; never nil.
	Logger *slog.Logger
	// Scores takes the client's scores; nil when they go nowhere.
	Scores scores.Sink
	// Name says which client this is in log lines, without secrets: its
	// public key, or where its spans go when it has none.
	Name string
	// Owner is the root package's client that made the State, for the
	// calls of Langfuse's public API made through ctx's client (datasets).
	Owner any

	stopped atomic.Bool
	warned  warn.Limiter // by message
}

// Live reports whether s records observations: it is set, has a tracer
// and was not stopped.
func (s *State) Live() bool { return s != nil && s.Tracer != nil && !s.stopped.Load() }

// Stop makes s record nothing more.
func (s *State) Stop() { s.stopped.Store(true) }

// fallbackWarned rate-limits warnings made where no client is known.
var fallbackWarned warn.Limiter

// WarnEvery is how often a recurring warning is logged again.
const WarnEvery = warn.Every

// Warn logs msg at warning level the first time s sees it, and again at
// most once per WarnEvery while it recurs, with the number of times it was
// seen since the last line ("occurrences", see package warn), so a
// problem repeated per span neither floods the log nor goes silent. A nil
// s logs through the default client, or slog's default logger when there
// is none.
func (s *State) Warn(msg string, args ...any) {
	if s == nil {
		s = current.Load()
	}
	if s == nil {
		fallbackWarned.Warn(nil, msg, "langfuse: "+msg, args...)
		return
	}
	s.warned.Warn(s.Logger, msg, "langfuse: "+msg, args...)
}

var current atomic.Pointer[State]

// Load returns the default client's state, or nil when there is none.
func Load() *State { return current.Load() }

// earlier holds the defaults that Store replaced, oldest first, so that
// Retire can hand the role back to one that still records. Stopped states
// are pruned as states come and go, so it holds at most the clients that
// are alive.
var (
	earlierMu sync.Mutex
	earlier   []*State
)

// Store makes s the default state (nil: no default) and returns the one it
// replaces, which is remembered for Retire.
func Store(s *State) (replaced *State) {
	earlierMu.Lock()
	defer earlierMu.Unlock()
	old := current.Swap(s)
	if old != nil && old != s {
		NoteSecondClient() // observations of the old one may still start children
		earlier = append(pruned(earlier, s), old)
	}
	return old
}

// Retire takes s out of the defaults when its client shuts down. When s
// is the default, the most recent earlier default that still records
// takes its place, and is returned; otherwise Retire returns nil and the
// default is unchanged.
func Retire(s *State) (next *State) {
	if s == nil {
		return nil
	}
	earlierMu.Lock()
	defer earlierMu.Unlock()
	earlier = pruned(earlier, s)
	if current.Load() != s {
		return nil
	}
	if n := len(earlier); n > 0 {
		next = earlier[n-1]
		earlier = earlier[:n-1]
	}
	current.Store(next)
	return next
}

// pruned is list without drop and without the states that were stopped.
func pruned(list []*State, drop *State) []*State {
	kept := list[:0]
	for _, st := range list {
		if st != drop && !st.stopped.Load() {
			kept = append(kept, st)
		}
	}
	clear(list[len(kept):])
	return kept
}

// secondClient is set once any client other than the default records an
// observation or is bound to a context: from then on, contexts are asked
// which client they belong to.
var secondClient atomic.Bool

// NoteSecondClient records that a client other than the default is in use.
func NoteSecondClient() {
	if !secondClient.Load() {
		secondClient.Store(true)
	}
}

// SecondClient reports whether a client other than the default was ever
// in use.
func SecondClient() bool { return secondClient.Load() }
