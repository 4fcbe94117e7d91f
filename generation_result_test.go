package langfuse_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// localReply is the result of a model call on no known wire, which says
// what the call used.
type localReply struct {
	Text string `json:"text"`
	In   int    `json:"-"`
	Out  int    `json:"-"`
}

var firstToken = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func (r localReply) GenerationDetails() observe.GenerationDetails {
	return observe.GenerationDetails{Model: "local-llama-3", CompletionStart: firstToken,
		Usage: map[string]int{"input": r.In, "output": r.Out},
		Cost:  map[string]float64{"total": 0.5}}
}

// pointerReply reports through a pointer receiver.
type pointerReply struct{ tokens int }

func (r *pointerReply) GenerationDetails() observe.GenerationDetails {
	return observe.GenerationDetails{Model: "ptr-model", Usage: map[string]int{"total": r.tokens}}
}

type panickyReply struct{}

func (panickyReply) GenerationDetails() observe.GenerationDetails { panic("no details") }

func generate(_ context.Context, prompt string) (localReply, error) {
	return localReply{Text: "echo " + prompt, In: 3, Out: 5}, nil
}

func TestGenerationResultIsRecorded(t *testing.T) {
	for _, tc := range []struct {
		name      string
		captureIO bool
	}{{"capture on", true}, {"capture off", false}} {
		t.Run(tc.name, func(t *testing.T) {
			_, rec := newClient(t, func(c *config.Config) { c.IOCaptureEnabled = tc.captureIO })
			gen := langfuse.Observe1("generate", generate, observe.AsType(observe.TypeGeneration))
			got, err := gen(context.Background(), "hi")
			require.NoError(t, err)
			assert.Equal(t, localReply{Text: "echo hi", In: 3, Out: 5}, got, "the result is returned unchanged")

			o := find(t, rec, "generate")
			assert.Equal(t, "local-llama-3", o.Attr(semconv.ObservationModel))
			assert.JSONEq(t, `{"input":3,"output":5}`, o.Attr(semconv.ObservationUsageDetails))
			assert.JSONEq(t, `{"total":0.5}`, o.Attr(semconv.ObservationCostDetails))
			assert.Contains(t, o.Attr(semconv.ObservationCompletionStartTime), "2026-11-30T08:00:00")
			if tc.captureIO {
				assert.JSONEq(t, `{"text":"echo hi"}`, o.Output)
			} else {
				assert.NotContains(t, o.Attributes, semconv.ObservationOutput)
			}
		})
	}
}

func TestGenerationResultThroughPointerAndRun(t *testing.T) {
	_, rec := newClient(t)
	got, err := langfuse.Run(context.Background(), "embed", func(context.Context) (*pointerReply, error) {
		return &pointerReply{tokens: 7}, nil
	}, observe.AsType(observe.TypeEmbedding))
	require.NoError(t, err)
	assert.Equal(t, 7, got.tokens)
	o := find(t, rec, "embed")
	assert.Equal(t, "ptr-model", o.Attr(semconv.ObservationModel))
	assert.JSONEq(t, `{"total":7}`, o.Attr(semconv.ObservationUsageDetails))

	// A nil pointer result reports nothing, and does not panic.
	_, err = langfuse.Run(context.Background(), "nil-result", func(context.Context) (*pointerReply, error) {
		return nil, nil
	}, observe.AsType(observe.TypeGeneration))
	require.NoError(t, err)
	assert.NotContains(t, find(t, rec, "nil-result").Attributes, semconv.ObservationModel)
}

func TestGenerationResultIgnoredWhereItDoesNotApply(t *testing.T) {
	var logs bytes.Buffer
	_, rec := newClientWith(t, nil, langfuse.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	// A plain span: model and usage belong to generations only, and no
	// warning is logged for a result that merely could report them.
	_, err := langfuse.Observe1("plain", generate)(context.Background(), "x")
	require.NoError(t, err)
	assert.NotContains(t, find(t, rec, "plain").Attributes, semconv.ObservationModel)
	// A failed call records its error, not the details of a zero result.
	_, err = langfuse.Observe1("failed", func(context.Context, string) (localReply, error) {
		return localReply{In: 1}, errors.New("model unavailable")
	}, observe.AsType(observe.TypeGeneration))(context.Background(), "x")
	require.Error(t, err)
	failed := find(t, rec, "failed")
	assert.NotContains(t, failed.Attributes, semconv.ObservationModel)
	assert.Equal(t, "ERROR", failed.Level)
	assert.Empty(t, logs.String())
}

func TestGenerationResultPanicIsContained(t *testing.T) {
	var logs lockedBuffer
	_, rec := newClientWith(t, nil, langfuse.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	var got panickyReply
	require.NotPanics(t, func() {
		var err error
		got, err = langfuse.Observe1("panicky", func(context.Context, int) (panickyReply, error) {
			return panickyReply{}, nil
		}, observe.AsType(observe.TypeGeneration))(context.Background(), 1)
		require.NoError(t, err)
	})
	assert.Equal(t, panickyReply{}, got)
	o := find(t, rec, "panicky")
	assert.NotContains(t, o.Attributes, semconv.ObservationModel)
	assert.Contains(t, logs.String(), "GenerationDetails panicked")
	assert.Contains(t, logs.String(), "no details")
}
