package langfuse

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/console"
	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/internal/lfhttp"
	"github.com/observe-go/langfuse/internal/scores"
	"github.com/observe-go/langfuse/semconv"
)

// ErrInvalidScore is wrapped by the error of a score that Langfuse would
// refuse: no name, no trace or session, an observation without its trace,
// a value that does not fit its data type, or a number that is not finite.
var ErrInvalidScore = errInvalidScore

// errInvalidScore is the sentinel that the score checks wrap, whichever
// package makes the score (observe.Score too).
var errInvalidScore = scores.ErrInvalidScore

// Score is an evaluation of a trace, one of its observations, or a
// session: a user's thumbs-up, an LLM judge's verdict, a guardrail's
// pass or fail.
type Score struct {
	Name string
	// Value is a number (any integer or float kind), a bool or a string.
	// In a score given to a ScoreExporter it is what is sent: a float64
	// (NUMERIC, and BOOLEAN as 0 or 1) or a string (CATEGORICAL).
	Value any
	// DataType is "NUMERIC", "BOOLEAN" or "CATEGORICAL"; when "" it
	// follows Value: a number is NUMERIC, a bool BOOLEAN, a string
	// CATEGORICAL.
	DataType      string
	TraceID       string // at least one of TraceID and SessionID, or DatasetRunID alone
	ObservationID string // needs TraceID
	SessionID     string
	// DatasetRunID scores a whole run of a dataset experiment (see
	// package experiment), and goes without a trace, session or
	// observation.
	DatasetRunID string
	// ID is an idempotency key: a score sent again with the same ID
	// replaces the first. When "" a random one is made.
	ID       string
	Comment  string
	ConfigID string // a score config of the project, which the score must match
	Metadata map[string]any
}

// ScoreExporter is implemented by a span exporter, given to
// WithSpanExporter, that takes the client's scores too
// (langfusetest.Recorder does). ExportScores is called on the goroutine
// that scores, with each score checked, its id set and its comment and
// metadata masked; an error is logged and counted, never returned to the
// code that scored. An exporter that does not implement it gets no
// scores.
type ScoreExporter interface {
	ExportScores(ctx context.Context, scores []Score) error
}

// CreateScore scores a trace, an observation or a session by id, such as
// user feedback that arrives later, in another request, for a trace whose
// id the program kept. Use observe.Score and observe.ScoreTrace for the
// observation current in a ctx.
//
// A malformed score is an error now, wrapping ErrInvalidScore. A valid one
// is queued and sent in the background; delivery failures are logged and
// counted (Stats), never returned. With tracing disabled or after
// Shutdown, CreateScore does nothing. ctx is not used yet.
func (c *Client) CreateScore(_ context.Context, s Score) error {
	var st *global.State
	if c != nil {
		st = c.state
	}
	return createScore(st, s)
}

// CreateScore is Client.CreateScore through the client bound to ctx
// (Client.Context, langfusetest.New), else the default client: the form
// for code that has a trace id and a ctx but no *Client, such as a
// feedback endpoint. A malformed score is an error wrapping
// ErrInvalidScore even when there is no client; with none, a valid score
// is dropped.
func CreateScore(ctx context.Context, s Score) error {
	return createScore(core.ClientFrom(ctx), s)
}

func createScore(st *global.State, s Score) error {
	is := scores.Score{
		ID: s.ID, TraceID: s.TraceID, ObservationID: s.ObservationID, SessionID: s.SessionID, DatasetRunID: s.DatasetRunID,
		Name: s.Name, Value: s.Value, DataType: s.DataType, Comment: s.Comment, ConfigID: s.ConfigID,
	}
	if err := core.Score(st, &is, s.Metadata); err != nil {
		return fmt.Errorf("langfuse: %w", err)
	}
	return nil
}

// scoreSink returns where the client's scores go: the ingestion API with
// keys, through hc when the program gave one (WithHTTPClient), the
// exporter when it takes scores, the console without either, or nowhere
// (nil) otherwise. The queue is returned too when there is one.
func scoreSink(cfg config.Config, exporter any, cons *console.Exporter, logger *slog.Logger, hc *http.Client) (scores.Sink, *scores.Queue) {
	switch {
	case exporter != nil:
		se, ok := exporter.(ScoreExporter)
		if !ok {
			return nil, nil
		}
		return scores.NewDirect(func(s scores.Score) error {
			return se.ExportScores(context.Background(), []Score{publicScore(s)})
		}, logger), nil
	case cfg.HasKeys():
		lf, err := lfhttp.New(cfg, lfhttp.SDK{Name: semconv.SDKName, Version: semconv.SDKVersion}, hc)
		if err != nil {
			// Validate refuses such a base URL before it gets here.
			logger.Warn("langfuse: scores will not be sent", "error", err)
			return nil, nil
		}
		q := scores.NewQueue(scores.Config{
			HTTP:        lf,
			Timeout:     cfg.Timeout,
			BatchSize:   min(cfg.FlushAt, 100),
			MaxQueue:    cfg.MaxQueueSize,
			Interval:    cfg.FlushInterval,
			Logger:      logger,
			Environment: cfg.Environment,
		})
		return q, q
	case cons != nil:
		return scores.NewDirect(func(s scores.Score) error { return cons.ExportScore(s.TraceID, scoreLine(s)) }, logger), nil
	}
	return nil, nil
}

// publicScore is s as a ScoreExporter sees it.
func publicScore(s scores.Score) Score {
	out := Score{
		Name: s.Name, Value: s.Value, DataType: s.DataType, TraceID: s.TraceID,
		ObservationID: s.ObservationID, SessionID: s.SessionID, DatasetRunID: s.DatasetRunID, ID: s.ID, Comment: s.Comment, ConfigID: s.ConfigID,
	}
	if s.Metadata != "" {
		out.Metadata = map[string]any{"": s.Metadata}
		if m, ok := decodeObject(s.Metadata); ok {
			out.Metadata = m
		}
	}
	return out
}

// scoreLine is s as one line of the console: the score, then what it is
// on within its trace.
func scoreLine(s scores.Score) string {
	var b strings.Builder
	b.WriteString("score ")
	b.WriteString(s.Name)
	b.WriteString(" = ")
	switch v := s.Value.(type) {
	case string:
		b.WriteString(strconv.Quote(v))
	case float64:
		if s.DataType == scores.Boolean {
			b.WriteString(strconv.FormatBool(v == 1))
		} else {
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	if s.ObservationID != "" {
		b.WriteString("  observation " + s.ObservationID)
	}
	if s.SessionID != "" {
		b.WriteString("  session " + strconv.Quote(s.SessionID))
	}
	if s.Comment != "" {
		b.WriteString("  comment " + strconv.Quote(s.Comment))
	}
	return b.String()
}

// decodeObject returns text as the JSON object it holds.
func decodeObject(text string) (map[string]any, bool) {
	var m map[string]any
	if json.Unmarshal([]byte(text), &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}
