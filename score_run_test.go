package langfuse_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
)

// TestCreateScoreOfADatasetRun checks that a score of a whole dataset run
// goes through ctx's client with its run id alone, and that one with a
// trace as well is refused at the call, as the Langfuse API refuses it.
func TestCreateScoreOfADatasetRun(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	require.NoError(t, langfuse.CreateScore(ctx, langfuse.Score{Name: "avg_accuracy", DatasetRunID: "run-1", Value: 0.75}))
	require.Len(t, rec.Scores(), 1)
	got := rec.Scores()[0]
	assert.Equal(t, "run-1", got.DatasetRunID)
	assert.Equal(t, 0.75, got.Value)
	assert.Empty(t, got.TraceID)

	err := langfuse.CreateScore(ctx, langfuse.Score{Name: "n", DatasetRunID: "run-1", TraceID: "0123456789abcdef0123456789abcdef", Value: 1})
	assert.True(t, errors.Is(err, langfuse.ErrInvalidScore), "%v", err)
}
