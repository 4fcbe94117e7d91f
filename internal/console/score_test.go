package console

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestConsoleExporterPrintsScoresUnderTheirTrace(t *testing.T) {
	var out bytes.Buffer
	e := &Exporter{W: &out, NoDurations: true}
	ctx := context.Background()

	// A score while the trace runs waits for its tree.
	require.NoError(t, e.ExportScore(consoleTestTrace, "score helpful = true"))
	assert.Empty(t, out.String(), "held until the trace is printed")
	require.NoError(t, e.ExportSpans(ctx, tracetest.SpanStubs{consoleStub(2, 1, "child", 1), consoleStub(1, 0, "root", 0)}.Snapshots()))
	assert.Equal(t, "trace "+consoleTestTrace+"\n└─ root  span\n   └─ child  span\n   score helpful = true\n", out.String())

	// A score after the tree, and one on no trace, print at once.
	out.Reset()
	require.NoError(t, e.ExportScore(consoleTestTrace, "score later = 1"))
	assert.Equal(t, "trace "+consoleTestTrace+"  (scored after it was printed)\n   score later = 1\n", out.String())
	out.Reset()
	require.NoError(t, e.ExportScore("", "score csat = 4.5  session \"s\""))
	assert.Equal(t, "score csat = 4.5  session \"s\"\n", out.String())

	// A score on a trace that never ends prints at Shutdown.
	out.Reset()
	other := "0102030405060708090a0b0c0d0e0f10"
	require.NoError(t, e.ExportScore(other, "score orphan = 0\nwith a newline"))
	require.NoError(t, e.Shutdown(ctx))
	assert.Equal(t, "trace "+other+"\n   score orphan = 0\\nwith a newline\n", out.String(), "control characters escaped")
	require.NoError(t, e.ExportScore(other, "score after shutdown = 1"))
	assert.NotContains(t, out.String(), "after shutdown")
}
