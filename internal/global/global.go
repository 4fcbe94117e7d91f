// Package global holds the default client's state that observations read
// on every call: the tracer, the capture settings and the logger. The root
// package stores it when a client is created; nothing else writes it.
package global

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/capture"
)

// State is an immutable snapshot of what observations need from the
// client. A new client stores a new State; nobody changes one in place.
type State struct {
	// Tracer creates observation spans, scope "langfuse-sdk".
	Tracer trace.Tracer
	// CaptureIO is the default for wrappers' input and output capture
	// (LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED).
	CaptureIO bool
	// Capture limits and masks every captured value.
	Capture capture.Options
	// Logger receives warnings about bad input; never nil.
	Logger *slog.Logger

	warned sync.Map // message -> struct{}: each distinct warning is logged once
}

var current atomic.Pointer[State]

// Load returns the default client's state, or nil when there is no
// enabled client.
func Load() *State { return current.Load() }

// Store makes s the default state; nil disables observation.
func Store(s *State) { current.Store(s) }

// CompareAndSwap replaces old with s only if old is still the default.
func CompareAndSwap(old, s *State) bool { return current.CompareAndSwap(old, s) }

// Logger returns the logger of the default client, or slog's default.
func Logger() *slog.Logger {
	if s := current.Load(); s != nil && s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// fallbackWarned dedups warnings made while no client is set.
var fallbackWarned sync.Map

// WarnOnce logs msg at warning level the first time it is seen for the
// current client, so a problem repeated per span is reported once.
func WarnOnce(msg string, args ...any) {
	seen := &fallbackWarned
	var logger *slog.Logger
	if s := current.Load(); s != nil {
		seen = &s.warned
		logger = s.Logger
	}
	if logger == nil {
		logger = slog.Default()
	}
	if _, dup := seen.LoadOrStore(msg, struct{}{}); dup {
		return
	}
	logger.Warn("langfuse: "+msg, args...)
}
