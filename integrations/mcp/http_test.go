package langfusemcp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// The credentials the client sends with every request over streamable
// HTTP.
const (
	bearerToken = "mcp-token-3f9a8b7c6d5e"
	apiKey      = "mcp-key-0a1b2c3d4e5f"
)

// withCredentials adds the credentials to every request, as an HTTP
// client configured for an MCP server behind authentication does.
type withCredentials struct{ base http.RoundTripper }

func (w withCredentials) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+bearerToken)
	r.Header.Set("X-Api-Key", apiKey)
	return w.base.RoundTrip(r)
}

// newHTTPServer returns a server with the test tools and "whoami", which
// fails with an error that quotes the request's credentials back, as a
// careless or hostile server does.
func newHTTPServer() *mcp.Server {
	s := newServer()
	s.AddTool(&mcp.Tool{Name: "whoami", InputSchema: objectSchema},
		func(_ context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			h := req.Extra.Header
			return nil, errors.New("credentials rejected: " + h.Get("Authorization") + " / key " + h.Get("X-Api-Key"))
		})
	return s
}

// connectHTTP serves s over streamable HTTP on 127.0.0.1, wrapped by wrap
// when not nil, with serverCtx's Langfuse client bound to the requests,
// and connects client to it with credentials.
func connectHTTP(t *testing.T, serverCtx context.Context, s *mcp.Server, wrap func(http.Handler) http.Handler, client *mcp.Client) *mcp.ClientSession {
	t.Helper()
	var h http.Handler = mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, nil)
	if wrap != nil {
		h = wrap(h)
	}
	srv := langfusetest.Serve(t, serverCtx, h)
	transport := &mcp.StreamableClientTransport{
		Endpoint:   srv.URL,
		HTTPClient: &http.Client{Transport: withCredentials{srv.Client().Transport}},
	}
	cs, err := client.Connect(context.Background(), transport, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// TestStreamableHTTP: over streamable HTTP the trace context travels in
// the message as over any transport, and neither side records the
// credentials of the HTTP requests or the session id, even when the
// server quotes them back in an error.
func TestStreamableHTTP(t *testing.T) {
	clientCtx, clientRec := langfusetest.New(t)
	serverCtx, serverRec := langfusetest.New(t)
	cs := connectHTTP(t, serverCtx, newHTTPServer(), nil, newClient())

	ctx, agent := observe.Start(clientCtx, "agent", observe.AsType(observe.TypeAgent))
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Braga"}})
	require.NoError(t, err)
	assert.Equal(t, "Sunny in Braga", res.Content[0].(*mcp.TextContent).Text)
	_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "whoami"})
	require.Error(t, err)
	require.Contains(t, err.Error(), bearerToken, "the error reaches the caller unchanged")
	agent.End()

	call := clientRec.MustFind(t, "forecast")
	served := serverRec.MustFind(t, "forecast")
	assert.Equal(t, agent.ID(), call.ParentID)
	assert.Equal(t, call.TraceID, served.TraceID)
	assert.Equal(t, call.ID, served.ParentID)
	assert.Equal(t, served.ID, serverRec.MustFind(t, "lookup Braga").ParentID)

	whoCall := clientRec.MustFind(t, "whoami")
	whoServed := serverRec.MustFind(t, "whoami")
	assert.True(t, whoCall.Failed())
	assert.True(t, whoServed.Failed())
	assert.Equal(t, "credentials rejected: [REDACTED] / key [REDACTED]", whoServed.StatusMessage,
		"the server knows the request's credentials and takes them out")
	assert.Contains(t, whoCall.StatusMessage, "credentials rejected: Bearer [REDACTED]",
		"the client takes out what follows Bearer")

	secrets := []string{bearerToken, cs.ID()}
	require.NotEmpty(t, cs.ID(), "streamable HTTP has a session id")
	for _, rec := range []*langfusetest.Recorder{clientRec, serverRec} {
		for _, o := range rec.Observations() {
			for k, v := range o.Attributes {
				for _, s := range secrets {
					assert.NotContains(t, v.String(), s, "%s of %s", k, o.Name)
				}
			}
		}
	}
	// The server also knows the API key: it is taken out of its records.
	for _, o := range serverRec.Observations() {
		for k, v := range o.Attributes {
			assert.NotContains(t, v.String(), apiKey, "%s of %s", k, o.Name)
		}
	}
}

// TestStreamableHTTPUnderObserveHandler: the SDK runs a session's
// handlers with the context of the HTTP request that opened it, so the
// observation of langfuse.ObserveHandler there is that first request's.
// The trace context in _meta wins over it: the tool's observation is the
// child of the client's.
func TestStreamableHTTPUnderObserveHandler(t *testing.T) {
	clientCtx, clientRec := langfusetest.New(t)
	serverCtx, serverRec := langfusetest.New(t)
	wrap := func(h http.Handler) http.Handler { return langfuse.ObserveHandler("mcp-endpoint", h) }
	cs := connectHTTP(t, serverCtx, newHTTPServer(), wrap, newClient())

	_, err := cs.CallTool(clientCtx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Evora"}})
	require.NoError(t, err)
	call := clientRec.MustFind(t, "forecast")
	served := serverRec.MustFind(t, "forecast")
	assert.Equal(t, call.TraceID, served.TraceID)
	assert.Equal(t, call.ID, served.ParentID)
	assert.NotEmpty(t, serverRec.FindAll("mcp-endpoint"), "the HTTP requests are observed too")
	for _, o := range serverRec.Observations() {
		for k, v := range o.Attributes {
			assert.False(t, strings.Contains(v.String(), bearerToken), "%s of %s", k, o.Name)
		}
	}
}

// TestStreamableHTTPConcurrent makes 8 calls at once on one streamable
// HTTP session: each server observation is the child of its own client
// observation.
func TestStreamableHTTPConcurrent(t *testing.T) {
	clientCtx, clientRec := langfusetest.New(t)
	serverCtx, serverRec := langfusetest.New(t)
	cs := connectHTTP(t, serverCtx, newHTTPServer(), nil, newClient())

	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := cs.CallTool(clientCtx, &mcp.CallToolParams{Name: "forecast",
				Arguments: map[string]any{"city": fmt.Sprint("city-", i)}})
			errs <- err
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	calls := map[string]string{} // id -> city
	for _, c := range clientRec.FindAll("forecast") {
		calls[c.ID] = c.Input
	}
	served := serverRec.FindAll("forecast")
	require.Len(t, calls, n)
	require.Len(t, served, n)
	for _, s := range served {
		in, ok := calls[s.ParentID]
		require.True(t, ok, "server observation %s has no client parent", s.ID)
		assert.JSONEq(t, in, s.Input, "the child of the call that sent these arguments")
	}
}
