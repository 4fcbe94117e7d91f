package llmtest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/semconv"
)

// Find returns the one observation called name; the test fails when
// there is none or more than one.
func Find(tb testing.TB, rec *langfusetest.Recorder, name string) langfusetest.Observation {
	tb.Helper()
	found := Named(rec, name)
	require.Len(tb, found, 1, "observations called %q among %d", name, len(rec.Observations()))
	return found[0]
}

// Named returns the observations called name, in the order they ended.
func Named(rec *langfusetest.Recorder, name string) []langfusetest.Observation {
	var found []langfusetest.Observation
	for _, o := range rec.Observations() {
		if o.Name == name {
			found = append(found, o)
		}
	}
	return found
}

// JSONOf decodes a recorded JSON text.
func JSONOf(tb testing.TB, s string) any {
	tb.Helper()
	var v any
	require.NoError(tb, json.Unmarshal([]byte(s), &v), "not JSON: %s", s)
	return v
}

// UsageOf returns the usage details of o.
func UsageOf(tb testing.TB, o langfusetest.Observation) map[string]int {
	tb.Helper()
	var u map[string]int
	attr := o.Attr(semconv.ObservationUsageDetails)
	require.NoError(tb, json.Unmarshal([]byte(attr), &u), "usage %q", attr)
	return u
}

// ParamsOf returns the model parameters of o.
func ParamsOf(tb testing.TB, o langfusetest.Observation) map[string]any {
	tb.Helper()
	var p map[string]any
	attr := o.Attr(semconv.ObservationModelParameters)
	require.NoError(tb, json.Unmarshal([]byte(attr), &p), "model parameters %q", attr)
	return p
}

// AssertNoSecret fails when any of secrets appears in a name, attribute,
// event or status of any span rec recorded.
func AssertNoSecret(tb testing.TB, rec *langfusetest.Recorder, secrets ...string) {
	tb.Helper()
	for _, s := range rec.Spans() {
		for _, secret := range secrets {
			assert.NotContains(tb, s.Name(), secret)
			for _, a := range s.Attributes() {
				assert.NotContains(tb, a.Value.String(), secret, "attribute %s of %s", a.Key, s.Name())
			}
			for _, e := range s.Events() {
				for _, a := range e.Attributes {
					assert.NotContains(tb, a.Value.String(), secret, "event %s of %s", e.Name, s.Name())
				}
			}
			assert.NotContains(tb, s.Status().Description, secret, "status of %s", s.Name())
		}
	}
}
