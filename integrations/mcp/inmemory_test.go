package langfusemcp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	langfusemcp "github.com/observe-go/langfuse/integrations/mcp"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// TestToolCallNests calls a tool of a server that records into another
// Langfuse client: the server's tool observation is a child of the
// client's, in the client's trace, and the handler's own observation is a
// child of the server's.
func TestToolCallNests(t *testing.T) {
	clientCtx, clientRec := langfusetest.New(t)
	serverCtx, serverRec := langfusetest.New(t)
	cs := connect(t, serverCtx, newServer(), newClient())

	ctx, agent := observe.Start(clientCtx, "plan-trip", observe.AsType(observe.TypeAgent))
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Lisbon"}})
	agent.End()
	require.NoError(t, err)
	require.False(t, res.IsError)
	require.Equal(t, "Sunny in Lisbon", res.Content[0].(*mcp.TextContent).Text)

	call := clientRec.MustFind(t, "forecast")
	assert.Equal(t, "tool", call.Type)
	assert.Equal(t, agent.TraceID(), call.TraceID)
	assert.Equal(t, agent.ID(), call.ParentID)
	assert.JSONEq(t, `{"city":"Lisbon"}`, call.Input)
	assert.JSONEq(t, `{"content":[{"type":"text","text":"Sunny in Lisbon"}],"structuredContent":{"summary":"sunny"}}`, call.Output)
	assert.Empty(t, call.Level)

	served := serverRec.MustFind(t, "forecast")
	assert.Equal(t, "tool", served.Type)
	assert.Equal(t, call.TraceID, served.TraceID, "the server continues the caller's trace")
	assert.Equal(t, call.ID, served.ParentID, "the server's observation is a child of the client's")
	assert.JSONEq(t, `{"city":"Lisbon"}`, served.Input)
	assert.JSONEq(t, call.Output, served.Output)
	assert.Equal(t, "true", served.Attr(semconv.IsAppRoot), "the first span of the server's process")

	lookup := serverRec.MustFind(t, "lookup Lisbon")
	assert.Equal(t, served.TraceID, lookup.TraceID)
	assert.Equal(t, served.ID, lookup.ParentID, "the handler's observations nest under the server's")

	assert.Len(t, clientRec.Observations(), 2, "the client records the agent and the tool call")
	assert.Len(t, serverRec.Observations(), 2, "the server records the tool call and the handler's lookup")
}

// TestToolErrorIsLevelError: a tool that reports an error in its result
// (isError) leaves both observations at level ERROR with the error's
// text, and the caller gets the result as the server sent it.
func TestToolErrorIsLevelError(t *testing.T) {
	clientCtx, clientRec := langfusetest.New(t)
	serverCtx, serverRec := langfusetest.New(t)
	cs := connect(t, serverCtx, newServer(), newClient())

	res, err := cs.CallTool(clientCtx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{}})
	require.NoError(t, err)
	require.True(t, res.IsError)

	for side, rec := range map[string]*langfusetest.Recorder{"client": clientRec, "server": serverRec} {
		o := rec.MustFind(t, "forecast")
		assert.True(t, o.Failed(), "%s: level ERROR and an error status", side)
		assert.Equal(t, errNoCity.Error(), o.StatusMessage, side)
		assert.Contains(t, o.Output, `"isError":true`, side)
		assert.Contains(t, o.Output, errNoCity.Error(), side)
	}
}

// TestProtocolErrorReturnedUnchanged: an unknown tool and a handler that
// fails are protocol errors; the caller gets the very error the SDK
// gives without the middleware, and both sides record level ERROR.
func TestProtocolErrorReturnedUnchanged(t *testing.T) {
	for _, tc := range []struct{ tool, message string }{
		{"nowhere", `unknown tool "nowhere"`},
		{"fail", "the backend is down"},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			clientCtx, clientRec := langfusetest.New(t)
			serverCtx, serverRec := langfusetest.New(t)

			// The same call without the middleware, for the error the SDK gives.
			plainServer := mcp.NewServer(&mcp.Implementation{Name: "weather"}, nil)
			plainServer.AddTool(&mcp.Tool{Name: "fail", InputSchema: objectSchema},
				func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
					return nil, errors.New("the backend is down")
				})
			plain := connect(t, context.Background(), plainServer, mcp.NewClient(&mcp.Implementation{Name: "agent"}, nil))
			_, want := plain.CallTool(context.Background(), &mcp.CallToolParams{Name: tc.tool})
			require.Error(t, want)

			cs := connect(t, serverCtx, newServer(), newClient())
			res, err := cs.CallTool(clientCtx, &mcp.CallToolParams{Name: tc.tool})
			require.Error(t, err)
			assert.Nil(t, res)
			assert.Equal(t, want.Error(), err.Error())
			assert.Equal(t, fmt.Sprintf("%T", want), fmt.Sprintf("%T", err))
			var wantRPC, gotRPC *jsonrpc.Error
			if errors.As(want, &wantRPC) {
				require.ErrorAs(t, err, &gotRPC)
				assert.Equal(t, wantRPC.Code, gotRPC.Code)
			}

			call := clientRec.MustFind(t, tc.tool)
			assert.True(t, call.Failed())
			assert.Equal(t, err.Error(), call.StatusMessage)
			assert.Contains(t, call.StatusMessage, tc.message)
			assert.Empty(t, call.Output)

			served := serverRec.MustFind(t, tc.tool)
			assert.True(t, served.Failed())
			assert.Contains(t, served.StatusMessage, tc.message)
			assert.Equal(t, call.ID, served.ParentID)
		})
	}
}

// TestConcurrentCalls makes 8 calls at once on one session: each server
// observation is the child of its own client observation, and the trace
// context never lands in the caller's params. (The params are not shared
// between the calls: the SDK itself writes its protocol keys into a
// request's _meta.)
func TestConcurrentCalls(t *testing.T) {
	clientCtx, clientRec := langfusetest.New(t)
	serverCtx, serverRec := langfusetest.New(t)
	cs := connect(t, serverCtx, newServer(), newClient())

	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	metas := make(chan mcp.Meta, n)
	for i := range n {
		wg.Go(func() {
			ctx, parent := observe.Start(clientCtx, fmt.Sprintf("step %d", i))
			defer parent.End()
			params := &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Porto"},
				Meta: mcp.Meta{"caller": "test"}}
			res, err := cs.CallTool(ctx, params)
			if err == nil && res.IsError {
				err = errors.New("isError")
			}
			errs <- err
			metas <- params.Meta
		})
	}
	wg.Wait()
	close(errs)
	close(metas)
	for err := range errs {
		require.NoError(t, err)
	}
	for meta := range metas {
		assert.Equal(t, "test", meta["caller"])
		assert.NotContains(t, meta, "traceparent", "the caller's _meta is not written to")
	}

	calls := clientRec.FindAll("forecast")
	served := serverRec.FindAll("forecast")
	require.Len(t, calls, n)
	require.Len(t, served, n)
	byID := map[string]langfusetest.Observation{}
	for _, c := range calls {
		byID[c.ID] = c
	}
	parents := map[string]bool{}
	for _, s := range served {
		c, ok := byID[s.ParentID]
		require.True(t, ok, "server observation %s has no client parent", s.ID)
		assert.Equal(t, c.TraceID, s.TraceID)
		parents[s.ParentID] = true
	}
	assert.Len(t, parents, n, "one server observation under each client observation")
}

// TestMetaSent: the server receives the trace context of the client's
// tool observation in _meta, beside what the caller put there, and no
// baggage unless the caller's context holds some.
func TestMetaSent(t *testing.T) {
	clientCtx, clientRec := langfusetest.New(t)
	spy := newMetaSpy()
	s := newServer()
	s.AddReceivingMiddleware(spy.middleware)
	cs := connect(t, context.Background(), s, newClient())

	userMeta := mcp.Meta{"progressToken": "p1"}
	_, err := cs.CallTool(clientCtx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Faro"}, Meta: userMeta})
	require.NoError(t, err)
	meta := <-spy.got
	call := clientRec.MustFind(t, "forecast")
	assert.Equal(t, "00-"+call.TraceID+"-"+call.ID+"-01", meta["traceparent"])
	assert.Equal(t, "p1", meta["progressToken"])
	assert.NotContains(t, meta, "baggage")
	assert.NotContains(t, meta, "tracestate", "no tracestate to send")
	assert.NotContains(t, userMeta, "traceparent", "the caller's _meta is not written to")

	// With attributes propagated as baggage, the baggage goes too.
	ctx := observe.PropagateAttributes(clientCtx, observe.Attributes{UserID: "user-7", AsBaggage: true})
	_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Faro"}})
	require.NoError(t, err)
	meta = <-spy.got
	assert.Equal(t, "langfuse_user_id=user-7", meta["baggage"])

	// Propagated attributes without AsBaggage stay in the process.
	ctx = observe.PropagateAttributes(clientCtx, observe.Attributes{UserID: "user-8"})
	_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Faro"}})
	require.NoError(t, err)
	meta = <-spy.got
	assert.NotContains(t, meta, "baggage")
}

// TestReadBaggage: the langfuse_* baggage members reach the server's
// observations only with WithReadBaggage(true).
func TestReadBaggage(t *testing.T) {
	for _, read := range []bool{false, true} {
		t.Run(fmt.Sprint("read=", read), func(t *testing.T) {
			clientCtx, _ := langfusetest.New(t)
			serverCtx, serverRec := langfusetest.New(t)
			var opts []langfusemcp.Option
			if read {
				opts = append(opts, langfusemcp.WithReadBaggage(true))
			}
			cs := connect(t, serverCtx, newServer(opts...), newClient())
			ctx := observe.PropagateAttributes(clientCtx, observe.Attributes{UserID: "user-7", SessionID: "chat-1", AsBaggage: true})
			_, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Faro"}})
			require.NoError(t, err)
			for _, name := range []string{"forecast", "lookup Faro"} {
				o := serverRec.MustFind(t, name)
				if read {
					assert.Equal(t, "user-7", o.UserID, name)
					assert.Equal(t, "chat-1", o.SessionID, name)
				} else {
					assert.Empty(t, o.UserID, name)
					assert.Empty(t, o.SessionID, name)
				}
			}
		})
	}
}

// TestObservationOptions: options of package observe apply to every
// observation, after the middleware's own; capture can be turned off.
func TestObservationOptions(t *testing.T) {
	clientCtx, clientRec := langfusetest.New(t)
	serverCtx, serverRec := langfusetest.New(t)
	server := newServer(langfusemcp.WithObservationOptions(observe.CaptureInput(false), observe.WithVersion("srv-2")))
	client := newClient(
		langfusemcp.WithObservationOptions(observe.CaptureOutput(false)),
		langfusemcp.WithObservationOptions(observe.WithMetadata(map[string]any{"team": "travel"})),
	)
	cs := connect(t, serverCtx, server, client)
	_, err := cs.CallTool(clientCtx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Faro"}})
	require.NoError(t, err)

	call := clientRec.MustFind(t, "forecast")
	assert.NotEmpty(t, call.Input)
	assert.Empty(t, call.Output)
	assert.Equal(t, "travel", call.Metadata["team"].AsString())
	served := serverRec.MustFind(t, "forecast")
	assert.Empty(t, served.Input)
	assert.NotEmpty(t, served.Output)
	assert.Equal(t, "srv-2", served.Version)
}

// TestOtherRequestsPassThrough: only tools/call is recorded.
func TestOtherRequestsPassThrough(t *testing.T) {
	clientCtx, clientRec := langfusetest.New(t)
	serverCtx, serverRec := langfusetest.New(t)
	cs := connect(t, serverCtx, newServer(), newClient())
	tools, err := cs.ListTools(clientCtx, nil)
	require.NoError(t, err)
	assert.Len(t, tools.Tools, 2)
	require.NoError(t, cs.Ping(clientCtx, nil))
	assert.Empty(t, clientRec.Observations())
	assert.Empty(t, serverRec.Observations())
}

// TestServerWithoutCaller: a call with no trace context in _meta (a
// client without the middleware) makes a trace of its own on the server.
func TestServerWithoutCaller(t *testing.T) {
	serverCtx, serverRec := langfusetest.New(t)
	cs := connect(t, serverCtx, newServer(), mcp.NewClient(&mcp.Implementation{Name: "plain"}, nil))
	_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Faro"}})
	require.NoError(t, err)
	served := serverRec.MustFind(t, "forecast")
	assert.Empty(t, served.ParentID)
	assert.Len(t, served.TraceID, 32)
	assert.True(t, strings.Trim(served.TraceID, "0") != "")
}
