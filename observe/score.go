package observe

import (
	"context"

	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/internal/scores"
)

// ScoreOption sets one optional field of a score. It is a small value, so
// that scoring with a client that records nothing allocates nothing.
type ScoreOption struct {
	kind scoreKind
	s    string
	m    map[string]any
}

type scoreKind uint8

const (
	sNone scoreKind = iota
	sComment
	sDataType
	sConfigID
	sMetadata
	sID
)

// WithComment explains a score, such as a judge's reasoning or a user's
// words. It passes the client's mask.
func WithComment(text string) ScoreOption { return ScoreOption{kind: sComment, s: text} }

// WithScoreDataType sets the data type, "NUMERIC", "BOOLEAN" or
// "CATEGORICAL"; without it the type follows the value: a number is
// NUMERIC, a bool BOOLEAN and a string CATEGORICAL.
func WithScoreDataType(dataType string) ScoreOption {
	return ScoreOption{kind: sDataType, s: dataType}
}

// WithScoreConfigID links the score to a score config of the Langfuse
// project, whose name, type and range it must then match.
func WithScoreConfigID(id string) ScoreOption { return ScoreOption{kind: sConfigID, s: id} }

// WithScoreMetadata attaches m to the score; its values pass the client's
// mask and size limit.
func WithScoreMetadata(m map[string]any) ScoreOption { return ScoreOption{kind: sMetadata, m: m} }

// WithScoreID sets the score's id, an idempotency key: scoring again with
// the same id updates the score instead of adding one, as when a user
// changes their feedback. Without it a random id is made.
func WithScoreID(id string) ScoreOption { return ScoreOption{kind: sID, s: id} }

// Score scores the observation current in ctx, with a number, a bool or a
// string (see WithScoreDataType), for its client to send in the
// background. A malformed score (no name, a value that fits no data type,
// a number that is not finite) is an error that wraps
// langfuse.ErrInvalidScore. With no observation in ctx, or tracing
// disabled, Score does nothing and returns nil.
func Score(ctx context.Context, name string, value any, opts ...ScoreOption) error {
	return observation(core.Current(ctx)).Score(name, value, opts...)
}

// ScoreTrace scores the trace of the observation current in ctx, as Score
// does for the observation.
func ScoreTrace(ctx context.Context, name string, value any, opts ...ScoreOption) error {
	return observation(core.Current(ctx)).ScoreTrace(name, value, opts...)
}

// Score scores o, as the package function Score does for the current
// observation. The score is sent by o's client.
func (o *Observation) Score(name string, value any, opts ...ScoreOption) error {
	return o.score(true, name, value, opts)
}

// ScoreTrace scores o's trace. The score is sent by o's client.
func (o *Observation) ScoreTrace(name string, value any, opts ...ScoreOption) error {
	return o.score(false, name, value, opts)
}

func (o *Observation) score(onObservation bool, name string, value any, opts []ScoreOption) error {
	r := o.rec()
	if !r.Live() {
		return nil
	}
	sc := r.Span().SpanContext()
	s := scores.Score{Name: name, Value: value, TraceID: sc.TraceID().String()}
	if onObservation {
		s.ObservationID = sc.SpanID().String()
	}
	var meta map[string]any
	for _, opt := range opts {
		switch opt.kind {
		case sComment:
			s.Comment = opt.s
		case sDataType:
			s.DataType = opt.s
		case sConfigID:
			s.ConfigID = opt.s
		case sMetadata:
			meta = opt.m
		case sID:
			s.ID = opt.s
		}
	}
	return core.Score(r.Client(), &s, meta)
}
