package tracing

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/propctx"
	"github.com/observe-go/langfuse/semconv"
)

// SpanProcessor stamps the trace-level attributes Langfuse reads from
// every span: the environment and release of the configuration, and the
// attributes propagated in the span's context by
// observe.PropagateAttributes, and the experiment and item identity that
// the W3C baggage of the span's context carries (package experiment puts
// it there; see semconv.BaggageExperimentID). It stamps spans of every
// tracer of the provider, so spans of other instrumentation join the same user, session
// and trace name. It exports nothing; register it before the exporting
// processor. It is safe for concurrent use.
type SpanProcessor struct {
	static []attribute.KeyValue
}

var _ sdktrace.SpanProcessor = (*SpanProcessor)(nil)

// NewSpanProcessor returns a SpanProcessor for cfg's environment and
// release.
func NewSpanProcessor(cfg config.Config) *SpanProcessor {
	p := &SpanProcessor{}
	if cfg.Environment != "" {
		p.static = append(p.static, attribute.String(semconv.Environment, cfg.Environment))
	}
	if cfg.Release != "" {
		p.static = append(p.static, attribute.String(semconv.Release, cfg.Release))
	}
	return p
}

// OnStart stamps s with the configured and propagated attributes.
func (p *SpanProcessor) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	if len(p.static) > 0 {
		s.SetAttributes(p.static...)
	}
	if set := propctx.FromContext(ctx); set != nil && len(set.KeyValues) > 0 {
		s.SetAttributes(set.KeyValues...)
	}
	if b := baggage.FromContext(ctx); b.Len() > 0 && b.Member(semconv.BaggageExperimentID).Value() != "" {
		s.SetAttributes(experimentAttributes(b)...)
	}
}

// experimentBaggage maps the baggage members of an experiment to the span
// attributes Langfuse reads; the metadata members are matched by prefix.
var experimentBaggage = map[string]string{
	semconv.BaggageEnvironment:                     semconv.Environment,
	semconv.BaggageExperimentID:                    semconv.ExperimentID,
	semconv.BaggageExperimentName:                  semconv.ExperimentName,
	semconv.BaggageExperimentDatasetID:             semconv.ExperimentDatasetID,
	semconv.BaggageExperimentItemID:                semconv.ExperimentItemID,
	semconv.BaggageExperimentItemVersion:           semconv.ExperimentItemVersion,
	semconv.BaggageExperimentItemRootObservationID: semconv.ExperimentItemRootObservationID,
}

// experimentAttributes returns the experiment attributes that the
// langfuse_experiment_* members of b (and langfuse_environment with them)
// stand for. Baggage may come from another service, so a value that
// Langfuse would not take as a propagated attribute (over 200 characters,
// invalid UTF-8, control characters; an environment outside
// [a-z0-9_-]{1,40}) is left out.
func experimentAttributes(b baggage.Baggage) []attribute.KeyValue {
	members := b.Members()
	kvs := make([]attribute.KeyValue, 0, len(members))
	for _, m := range members {
		name, v := m.Key(), m.Value()
		if !strings.HasPrefix(name, "langfuse_") || !propagatable(v) {
			continue
		}
		key, ok := experimentBaggage[name]
		switch {
		case ok && key == semconv.Environment:
			if !validEnvironment(v) {
				continue
			}
		case ok:
		case strings.HasPrefix(name, semconv.BaggageExperimentItemMetadataPrefix) && len(name) > len(semconv.BaggageExperimentItemMetadataPrefix):
			key = semconv.ExperimentItemMetadataPrefix + name[len(semconv.BaggageExperimentItemMetadataPrefix):]
		case strings.HasPrefix(name, semconv.BaggageExperimentMetadataPrefix) && len(name) > len(semconv.BaggageExperimentMetadataPrefix):
			key = semconv.ExperimentMetadataPrefix + name[len(semconv.BaggageExperimentMetadataPrefix):]
		default:
			continue
		}
		kvs = append(kvs, attribute.String(key, v))
	}
	return kvs
}

// propagatable reports whether v can be a propagated attribute: at most
// 200 characters of valid UTF-8 without control characters.
func propagatable(v string) bool {
	return v != "" && utf8.ValidString(v) && utf8.RuneCountInString(v) <= semconv.MaxPropagatedLen &&
		!strings.ContainsFunc(v, unicode.IsControl)
}

// validEnvironment reports whether v is an environment Langfuse takes:
// lowercase letters, digits, '-' and '_', at most 40, not starting with
// "langfuse".
func validEnvironment(v string) bool {
	if len(v) > 40 || strings.HasPrefix(v, "langfuse") {
		return false
	}
	for _, r := range v {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// OnEnd does nothing.
func (p *SpanProcessor) OnEnd(sdktrace.ReadOnlySpan) {}

// Shutdown does nothing.
func (p *SpanProcessor) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing.
func (p *SpanProcessor) ForceFlush(context.Context) error { return nil }
