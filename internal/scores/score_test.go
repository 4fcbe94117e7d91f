package scores

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalize(t *testing.T) {
	const trace = "0123456789abcdef0123456789abcdef"
	ok := []struct {
		name  string
		in    Score
		value any
		dt    string
	}{
		{"float inferred numeric", Score{Name: "n", TraceID: trace, Value: 0.5}, 0.5, Numeric},
		{"int inferred numeric", Score{Name: "n", TraceID: trace, Value: 3}, 3.0, Numeric},
		{"uint8 numeric", Score{Name: "n", TraceID: trace, Value: uint8(7)}, 7.0, Numeric},
		{"bool inferred boolean", Score{Name: "b", TraceID: trace, Value: true}, 1.0, Boolean},
		{"false is 0", Score{Name: "b", TraceID: trace, Value: false}, 0.0, Boolean},
		{"boolean from 1", Score{Name: "b", TraceID: trace, Value: 1, DataType: Boolean}, 1.0, Boolean},
		{"boolean from 0.0", Score{Name: "b", TraceID: trace, Value: 0.0, DataType: Boolean}, 0.0, Boolean},
		{"string inferred categorical", Score{Name: "c", SessionID: "s", Value: "good"}, "good", Categorical},
		{"lower-case data type", Score{Name: "c", SessionID: "s", Value: "x", DataType: "categorical"}, "x", Categorical},
		{"observation with trace", Score{Name: "n", TraceID: trace, ObservationID: "0123456789abcdef", Value: 1.5}, 1.5, Numeric},
		{"dataset run alone", Score{Name: "avg", DatasetRunID: "run-1", Value: 0.5}, 0.5, Numeric},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			s := c.in
			require.NoError(t, Normalize(&s))
			assert.Equal(t, c.value, s.Value)
			assert.Equal(t, c.dt, s.DataType)
		})
	}

	bad := []struct {
		name string
		in   Score
		want string
	}{
		{"no name", Score{TraceID: trace, Value: 1}, "a name is required"},
		{"blank name", Score{Name: "  ", TraceID: trace, Value: 1}, "a name is required"},
		{"no target", Score{Name: "n", Value: 1}, `score "n": a trace id, a session id or a dataset run id is required`},
		{"dataset run with trace", Score{Name: "n", DatasetRunID: "run-1", TraceID: trace, Value: 1}, `dataset run id "run-1" goes without a trace, session or observation id`},
		{"dataset run with session", Score{Name: "n", DatasetRunID: "run-1", SessionID: "s", Value: 1}, `dataset run id "run-1" goes without`},
		{"observation without trace", Score{Name: "n", SessionID: "s", ObservationID: "0123456789abcdef", Value: 1},
			`observation id "0123456789abcdef" needs a trace id`},
		{"nil value", Score{Name: "n", TraceID: trace}, "a value is required"},
		{"NaN", Score{Name: "n", TraceID: trace, Value: math.NaN()}, "value NaN is not a finite number"},
		{"+Inf", Score{Name: "n", TraceID: trace, Value: math.Inf(1)}, "value +Inf is not a finite number"},
		{"boolean 2", Score{Name: "b", TraceID: trace, Value: 2, DataType: Boolean}, "a BOOLEAN value must be a bool, 0 or 1, not 2"},
		{"boolean string", Score{Name: "b", TraceID: trace, Value: "yes", DataType: Boolean}, "a BOOLEAN value must be a bool, 0 or 1"},
		{"categorical number", Score{Name: "c", TraceID: trace, Value: 1, DataType: Categorical}, "a CATEGORICAL value must be a string, not int"},
		{"numeric string", Score{Name: "n", TraceID: trace, Value: "1", DataType: Numeric}, "a NUMERIC value must be a number, not string"},
		{"numeric bool", Score{Name: "n", TraceID: trace, Value: true, DataType: Numeric}, "a NUMERIC value must be a number, not bool"},
		{"unknown data type", Score{Name: "n", TraceID: trace, Value: 1, DataType: "SCALE"}, `data type "SCALE" is not NUMERIC, BOOLEAN or CATEGORICAL`},
		{"unsupported value", Score{Name: "n", TraceID: trace, Value: []int{1}}, "value of type []int is not a number, a bool or a string"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			s := c.in
			err := Normalize(&s)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalidScore), "errors.Is ErrInvalidScore")
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestStampKeepsAGivenID(t *testing.T) {
	s := Score{ID: "mine"}
	Stamp(&s)
	assert.Equal(t, "mine", s.ID)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, s.EventID)
	assert.False(t, s.Timestamp.IsZero())
	var other Score
	Stamp(&other)
	assert.NotEqual(t, other.ID, other.EventID)
}
