package langfusemcp_test

import (
	"context"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	langfusemcp "github.com/observe-go/langfuse/integrations/mcp"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// clientWith returns a context bound to a client of its own with cfg,
// recording into rec.
func clientWith(t testing.TB, cfg config.Config, rec *langfusetest.Recorder) context.Context {
	t.Helper()
	lf, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(rec), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = lf.Shutdown(context.Background()) })
	return lf.Context(context.Background())
}

// TestSampledOutCallKeepsDecision: a call the client's sampler drops
// still carries its trace context, flagged not sampled, so the server
// drops it too instead of recording half a trace.
func TestSampledOutCallKeepsDecision(t *testing.T) {
	cfg := config.Default()
	cfg.SampleRate = 0
	clientRec := langfusetest.NewRecorder()
	clientCtx := clientWith(t, cfg, clientRec)
	serverCtx, serverRec := langfusetest.New(t)
	spy := newMetaSpy()
	s := newServer()
	s.AddReceivingMiddleware(spy.middleware)
	cs := connect(t, serverCtx, s, newClient())

	res, err := cs.CallTool(clientCtx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Faro"}})
	require.NoError(t, err)
	assert.False(t, res.IsError)
	meta := <-spy.got
	assert.Regexp(t, `^00-[0-9a-f]{32}-[0-9a-f]{16}-00$`, meta["traceparent"])
	assert.Empty(t, clientRec.Observations())
	assert.Empty(t, serverRec.Observations(), "the server keeps the caller's decision")
}

// TestTracingOff: with tracing disabled the client sends the request it
// was given and nothing is recorded on either side.
func TestTracingOff(t *testing.T) {
	cfg := config.Default()
	cfg.TracingEnabled = false
	rec := langfusetest.NewRecorder()
	off := clientWith(t, cfg, rec)
	spy := newMetaSpy()
	s := newServer()
	s.AddReceivingMiddleware(spy.middleware)
	cs := connect(t, off, s, newClient())
	res, err := cs.CallTool(off, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Faro"}})
	require.NoError(t, err)
	assert.Equal(t, "Sunny in Faro", res.Content[0].(*mcp.TextContent).Text)
	assert.NotContains(t, <-spy.got, "traceparent")
	assert.Empty(t, rec.Observations())
}

// fixedNext is a method handler that answers every call with res.
func fixedNext(res mcp.Result) mcp.MethodHandler {
	return func(context.Context, string, mcp.Request) (mcp.Result, error) { return res, nil }
}

// TestTracingOffAllocs: with tracing off a tools/call costs the
// middleware no allocation, on either side.
func TestTracingOffAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	cfg := config.Default()
	cfg.TracingEnabled = false
	off := clientWith(t, cfg, langfusetest.NewRecorder())
	res := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "ok"}}}
	client := langfusemcp.ClientMiddleware()(fixedNext(res))
	server := langfusemcp.ServerMiddleware()(fixedNext(res))
	creq := &mcp.ClientRequest[mcp.Params]{Params: &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Faro"}}}
	sreq := &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Name: "forecast", Arguments: []byte(`{"city":"Faro"}`)}}
	for name, call := range map[string]func(){
		"client":                   func() { _, _ = client(off, "tools/call", creq) },
		"server":                   func() { _, _ = server(off, "tools/call", sreq) },
		"client, no client at all": func() { _, _ = client(context.Background(), "tools/call", creq) },
	} {
		assert.Zero(t, testing.AllocsPerRun(100, call), name)
	}
}

// TestPanicInToolIsRecorded: a handler's panic goes on with the same
// value, and the server's observation records it.
func TestPanicInToolIsRecorded(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	type boom struct{ msg string }
	server := langfusemcp.ServerMiddleware()(func(context.Context, string, mcp.Request) (mcp.Result, error) {
		panic(boom{"tool exploded"})
	})
	req := &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Name: "explode"}}
	defer func() {
		r := recover()
		assert.Equal(t, boom{"tool exploded"}, r, "the panic goes on with its own value")
		o := rec.MustFind(t, "explode")
		assert.True(t, o.Failed())
		assert.Contains(t, o.StatusMessage, "panic: ")
		assert.Contains(t, o.StatusMessage, "tool exploded")
	}()
	_, _ = server(ctx, "tools/call", req)
	t.Fatal("the panic was swallowed")
}

// TestUnexpectedRequests: a request that is not what the SDK sends for
// tools/call passes through, and a nil result is no output.
func TestUnexpectedRequests(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	var seen int
	next := func(context.Context, string, mcp.Request) (mcp.Result, error) { seen++; return nil, nil }
	client := langfusemcp.ClientMiddleware()(next)
	server := langfusemcp.ServerMiddleware()(next)

	_, _ = client(ctx, "tools/call", nil)
	_, _ = server(ctx, "tools/call", nil)
	_, _ = client(ctx, "tools/call", &mcp.ClientRequest[mcp.Params]{Params: (*mcp.CallToolParams)(nil)})
	_, _ = server(ctx, "tools/call", &mcp.ClientRequest[mcp.Params]{Params: &mcp.CallToolParams{Name: "x"}})
	_, _ = client(ctx, "tools/list", &mcp.ClientRequest[mcp.Params]{Params: &mcp.ListToolsParams{}})
	assert.Equal(t, 5, seen)
	assert.Empty(t, rec.Observations())

	// A request of the right kind with no session: recorded, sent as given.
	req := &mcp.ClientRequest[mcp.Params]{Params: &mcp.CallToolParams{Name: "lonely"}}
	got, err := client(ctx, "tools/call", req)
	assert.NoError(t, err)
	assert.Nil(t, got)
	o := rec.MustFind(t, "lonely")
	assert.Empty(t, o.Output)
	assert.False(t, o.Failed())
	_ = observe.TraceID(ctx)
}
