package langfusemcp_test

import (
	"context"
	"errors"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	langfusemcp "github.com/observe-go/langfuse/integrations/mcp"
	"github.com/observe-go/langfuse/observe"
)

type forecastIn struct {
	City string `json:"city,omitempty"`
}

type forecastOut struct {
	Summary string `json:"summary"`
}

// errNoCity is what the forecast tool fails with when no city is given;
// the SDK turns it into a result with isError set.
var errNoCity = errors.New("no city given")

// forecast is a typed tool that makes an observation of its own, so the
// tests see what the handler does nest under the server's observation.
func forecast(ctx context.Context, _ *mcp.CallToolRequest, in forecastIn) (*mcp.CallToolResult, forecastOut, error) {
	_, lookup := observe.Start(ctx, "lookup "+in.City)
	lookup.End()
	if in.City == "" {
		return nil, forecastOut{}, errNoCity
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "Sunny in " + in.City}}},
		forecastOut{Summary: "sunny"}, nil
}

// objectSchema is the input schema of the raw tools.
var objectSchema = map[string]any{"type": "object"}

// newServer returns a server with the test tools, observed with opts.
// Tools: forecast (typed), fail (a raw handler whose error is a protocol
// error), meta (answers with the _meta it was sent).
func newServer(opts ...langfusemcp.Option) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "weather", Version: "v1.0.0"}, nil)
	s.AddReceivingMiddleware(langfusemcp.ServerMiddleware(opts...))
	mcp.AddTool(s, &mcp.Tool{Name: "forecast", Description: "The weather in a city."}, forecast)
	s.AddTool(&mcp.Tool{Name: "fail", InputSchema: objectSchema},
		func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return nil, errors.New("the backend is down")
		})
	return s
}

// newClient returns a client observed with opts.
func newClient(opts ...langfusemcp.Option) *mcp.Client {
	c := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "v1.0.0"}, nil)
	c.AddSendingMiddleware(langfusemcp.ClientMiddleware(opts...))
	return c
}

// connect connects client and server over in-memory transports: the
// server's handlers run with serverCtx, whose Langfuse client records
// them. Both sessions are closed at the end of the test.
func connect(t testing.TB, serverCtx context.Context, s *mcp.Server, c *mcp.Client) *mcp.ClientSession {
	t.Helper()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := s.Connect(serverCtx, st, nil)
	require.NoError(t, err)
	cs, err := c.Connect(context.Background(), ct, nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = cs.Close()
		_ = ss.Wait()
	})
	return cs
}

// metaSpy is a receiving middleware that keeps the _meta of the last
// tools/call request it sees, as the server received it.
type metaSpy struct {
	got chan map[string]any
}

func newMetaSpy() *metaSpy { return &metaSpy{got: make(chan map[string]any, 64)} }

func (m *metaSpy) middleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok {
			cp := make(map[string]any, len(p.Meta))
			for k, v := range p.Meta {
				cp[k] = v
			}
			m.got <- cp
		}
		return next(ctx, method, req)
	}
}
