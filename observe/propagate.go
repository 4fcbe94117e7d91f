package observe

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/internal/propctx"
	"github.com/observe-go/langfuse/semconv"
)

// Attributes are trace-level attributes that PropagateAttributes puts on
// every observation started under a context: who the trace is for, which
// session it belongs to, what to call it.
type Attributes struct {
	UserID    string
	SessionID string
	Version   string
	TraceName string
	Tags      []string
	Metadata  map[string]string
	// AsBaggage also sends the attributes to other services in W3C
	// baggage. Off by default: baggage leaves the process in plain text.
	// Once set it holds for nested calls, and the whole merged set is
	// sent (see ReadBaggage for the receiving side).
	AsBaggage bool
	// Public makes the trace viewable by anyone with its link in
	// Langfuse. Once set under a context it stays set for nested calls.
	Public bool
}

// PropagateAttributes returns a copy of ctx whose observations, and spans
// of any other OpenTelemetry instrumentation started under it, carry a.
// The span current in ctx gets them too. Nested calls merge: later values
// win, metadata keys are merged and tags appended. ctx itself is not
// changed. A value longer than 200 characters is dropped with a warning,
// because Langfuse rejects it.
func PropagateAttributes(ctx context.Context, a Attributes) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	s := merge(core.ClientFrom(ctx), propctx.FromContext(ctx), a)
	if span := trace.SpanFromContext(ctx); span.IsRecording() && len(s.KeyValues) > 0 {
		span.SetAttributes(s.KeyValues...)
	}
	ctx = propctx.With(ctx, s)
	if s.AsBaggage {
		ctx = withBaggage(ctx, s)
	}
	return ctx
}

func merge(st *global.State, outer *propctx.Set, a Attributes) *propctx.Set {
	s := &propctx.Set{}
	if outer != nil {
		*s = *outer
		s.Tags = slices.Clone(outer.Tags)
		if len(outer.Metadata) > 0 {
			s.Metadata = make(map[string]string, len(outer.Metadata)+len(a.Metadata))
			for k, v := range outer.Metadata {
				s.Metadata[k] = v
			}
		}
	}
	set := func(dst *string, name, v string) {
		if v != "" && fits(st, name, v) {
			*dst = v
		}
	}
	set(&s.UserID, "UserID", a.UserID)
	set(&s.SessionID, "SessionID", a.SessionID)
	set(&s.Version, "Version", a.Version)
	set(&s.TraceName, "TraceName", a.TraceName)
	for _, t := range a.Tags {
		if t != "" && fits(st, "Tags", t) && !slices.Contains(s.Tags, t) {
			s.Tags = append(s.Tags, t)
		}
	}
	for k, v := range a.Metadata {
		if !validMetadataKey(k) {
			st.Warn("PropagateAttributes: a metadata key must be letters, digits and underscores, at most 200 long; dropped", "key", strings.ToValidUTF8(k, "?"))
			continue
		}
		if fits(st, "Metadata["+k+"]", v) {
			if s.Metadata == nil {
				s.Metadata = make(map[string]string, len(a.Metadata))
			}
			s.Metadata[k] = v
		}
	}
	s.AsBaggage = s.AsBaggage || a.AsBaggage
	s.Public = s.Public || a.Public
	s.KeyValues = keyValues(s)
	return s
}

// fits reports whether v can be propagated: at most 200 characters of
// valid UTF-8 with no control characters (a CR or LF from an incoming
// header or baggage must not travel on). A value that does not fit is
// dropped with a warning naming the attribute, never cut silently.
func fits(st *global.State, name, v string) bool {
	switch {
	case utf8.RuneCountInString(v) > semconv.MaxPropagatedLen:
		st.Warn("PropagateAttributes: a value over 200 characters was dropped: "+name, "length", utf8.RuneCountInString(v))
	case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl):
		st.Warn("PropagateAttributes: a value with invalid UTF-8 or control characters was dropped: " + name)
	default:
		return true
	}
	return false
}

// validMetadataKey reports whether k can be a trace metadata key: letters,
// digits and underscores, as Langfuse expects.
func validMetadataKey(k string) bool {
	if k == "" || len(k) > semconv.MaxPropagatedLen {
		return false
	}
	for _, r := range k {
		if r != '_' && (r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

func keyValues(s *propctx.Set) []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, 0, 5+len(s.Metadata))
	add := func(key, v string) {
		if v != "" {
			kvs = append(kvs, attribute.String(key, v))
		}
	}
	add(semconv.UserID, s.UserID)
	add(semconv.SessionID, s.SessionID)
	add(semconv.Version, s.Version)
	add(semconv.TraceName, s.TraceName)
	if len(s.Tags) > 0 {
		kvs = append(kvs, attribute.StringSlice(semconv.TraceTags, s.Tags))
	}
	for k, v := range s.Metadata {
		kvs = append(kvs, attribute.String(semconv.TraceMetadataPrefix+k, v))
	}
	if s.Public {
		kvs = append(kvs, attribute.Bool(semconv.TracePublic, true))
	}
	return kvs
}

// withProp returns ctx carrying the propagated set p.
func withProp(ctx context.Context, p *propctx.Set) context.Context { return propctx.With(ctx, p) }
