package langfusemcp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	langfusemcp "github.com/observe-go/langfuse/integrations/mcp"
	"github.com/observe-go/langfuse/langfusetest"
)

// toolObservation returns the one tool observation rec holds.
func toolObservation(t *testing.T, rec *langfusetest.Recorder) langfusetest.Observation {
	t.Helper()
	var tools []langfusetest.Observation
	for _, o := range rec.Observations() {
		if o.Type == "tool" {
			tools = append(tools, o)
		}
	}
	require.Len(t, tools, 1)
	return tools[0]
}

// TestHostileMeta sends _meta values that no honest client sends, from a
// client without the middleware: the server ignores what is not a valid
// trace context within its bounds, serves the call, and records it.
func TestHostileMeta(t *testing.T) {
	const (
		traceID  = "4bf92f3577b34da6a3ce929d0e0e4736"
		parentID = "00f067aa0ba902b7"
		valid    = "00-" + traceID + "-" + parentID + "-01"
	)
	huge := strings.Repeat("a", 256<<10) // far past every bound
	manyMembers := strings.Repeat("k=v,", 10000) + "langfuse_user_id=intruder"
	for _, tc := range []struct {
		name   string
		meta   mcp.Meta
		parent string // the parent the server's observation joins; "" for a new trace
	}{
		{"huge traceparent", mcp.Meta{"traceparent": huge}, ""},
		{"valid traceparent padded past the bound", mcp.Meta{"traceparent": valid + "-" + huge}, ""},
		{"traceparent a number", mcp.Meta{"traceparent": 42}, ""},
		{"traceparent an object", mcp.Meta{"traceparent": map[string]any{"traceparent": valid}}, ""},
		{"traceparent a list", mcp.Meta{"traceparent": []any{valid}}, ""},
		{"traceparent null", mcp.Meta{"traceparent": nil}, ""},
		{"traceparent garbage", mcp.Meta{"traceparent": "00-zz-yy-01"}, ""},
		{"zero trace id", mcp.Meta{"traceparent": "00-00000000000000000000000000000000-" + parentID + "-01"}, ""},
		{"upper-case key", mcp.Meta{"Traceparent": valid}, ""},
		{"valid", mcp.Meta{"traceparent": valid}, parentID},
		{"valid, huge tracestate", mcp.Meta{"traceparent": valid, "tracestate": huge}, parentID},
		{"valid, garbage tracestate", mcp.Meta{"traceparent": valid, "tracestate": "=,=,\x01"}, parentID},
		{"valid, tracestate a number", mcp.Meta{"traceparent": valid, "tracestate": 7}, parentID},
		{"huge baggage", mcp.Meta{"baggage": "langfuse_user_id=" + huge}, ""},
		{"baggage of many members", mcp.Meta{"baggage": manyMembers}, ""},
		{"baggage garbage", mcp.Meta{"baggage": ";;==,,\x00"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			serverCtx, serverRec := langfusetest.New(t)
			cs := connect(t, serverCtx, newServer(langfusemcp.WithReadBaggage(true)),
				mcp.NewClient(&mcp.Implementation{Name: "hostile"}, nil))
			res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "forecast",
				Arguments: map[string]any{"city": "Faro"}, Meta: tc.meta})
			require.NoError(t, err)
			require.False(t, res.IsError)

			served := toolObservation(t, serverRec)
			assert.Equal(t, "forecast", served.Name)
			assert.Empty(t, served.UserID, "no attribute from a baggage past its bound")
			if tc.parent == "" {
				assert.Empty(t, served.ParentID)
				assert.NotEqual(t, traceID, served.TraceID)
			} else {
				assert.Equal(t, tc.parent, served.ParentID)
				assert.Equal(t, traceID, served.TraceID)
			}
			for k, v := range served.Attributes {
				assert.Less(t, len(v.String()), 1<<16, "attribute %s holds what the caller sent", k)
			}
		})
	}
}

// TestHostileToolName: a tool name far past MCP's 128 characters names
// the observation cut, and the call fails as the SDK fails it.
func TestHostileToolName(t *testing.T) {
	serverCtx, serverRec := langfusetest.New(t)
	cs := connect(t, serverCtx, newServer(), mcp.NewClient(&mcp.Implementation{Name: "hostile"}, nil))
	_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: strings.Repeat("x", 1<<20)})
	require.Error(t, err)
	served := toolObservation(t, serverRec)
	assert.Equal(t, strings.Repeat("x", 256)+"…", served.Name)
	assert.True(t, served.Failed())
	assert.LessOrEqual(t, len(served.StatusMessage), 4096+len("…"))
}
