package scores

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEncodeDatasetRunScore checks that a score of a dataset run goes to
// the ingestion API with its datasetRunId and no trace or session.
func TestEncodeDatasetRunScore(t *testing.T) {
	s := Score{Name: "avg_accuracy", DatasetRunID: "run-1", Value: 0.5}
	require.NoError(t, Normalize(&s))
	Stamp(&s)
	event, err := encodeEvent(s)
	require.NoError(t, err)
	var ev struct {
		Body map[string]any `json:"body"`
	}
	require.NoError(t, json.Unmarshal(event, &ev))
	b := ev.Body
	assert.Equal(t, "run-1", b["datasetRunId"])
	assert.NotContains(t, b, "traceId")
	assert.NotContains(t, b, "sessionId")
}
