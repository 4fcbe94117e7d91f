package experiment_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/experiment"
)

func TestJSONEqual(t *testing.T) {
	type want struct {
		City string  `json:"city"`
		Pop  float64 `json:"pop"`
	}
	cases := []struct {
		name    string
		output  string
		equal   bool
		comment string
	}{
		{"same, keys in another order, 1 as 1.0", `{"pop": 1.0, "city": "Paris"}`, true, ""},
		{"other value", `{"pop": 2, "city": "Paris"}`, false, ""},
		{"extra key", `{"pop": 1, "city": "Paris", "x": null}`, false, ""},
		{"not JSON", `Paris, pop 1`, false, "output: not JSON"},
		{"text after the value", `{"pop": 1, "city": "Paris"} and more`, false, "output: not JSON: text after the value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			task := func(context.Context, experiment.Item[string, want]) (string, error) { return c.output, nil }
			res, err := experiment.Run(context.Background(), "json", []experiment.Item[string, want]{{Input: "x", Expected: want{"Paris", 1}}},
				task, experiment.WithEvaluators(experiment.JSONEqual[string, want, string]()))
			require.NoError(t, err)
			e, ok := res.Items[0].Evaluation("json_equal")
			require.True(t, ok)
			assert.Equal(t, c.equal, e.Value)
			if c.comment != "" {
				assert.Contains(t, e.Comment, c.comment)
			}
		})
	}
}
