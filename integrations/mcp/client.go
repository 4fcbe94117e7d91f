package langfusemcp

import (
	"context"
	"maps"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/observe-go/langfuse/observe"
)

// methodCallTool is the MCP method of a tool call.
const methodCallTool = "tools/call"

// ClientMiddleware returns a sending middleware for an mcp.Client that
// records every tools/call request as an observation of type tool, a
// child of the observation current in the call's context, and sends the
// W3C trace context of that observation to the server in the request's
// _meta (traceparent, tracestate; baggage when the context holds any), so
// that a server with ServerMiddleware nests its work under it. Add it
// with mcp.Client.AddSendingMiddleware; other requests pass through
// untouched, and so does every request while tracing is off. The
// returned middleware is safe for concurrent use.
//
// The observation is named after the tool. Its input is the call's
// arguments; its output the result's content, structured content and
// isError flag. A result with isError set has level ERROR and the text of
// its content as status message; a protocol error (an unknown tool,
// invalid arguments, a broken connection) has level ERROR and the error's
// text, credentials taken out, as status message, and is returned to the
// caller unchanged. The middleware writes nothing into the caller's
// params: the trace context goes into a copy of the request's _meta.
func ClientMiddleware(opts ...Option) mcp.Middleware {
	c := newConfig(opts)
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != methodCallTool || req == nil {
				return next(ctx, method, req)
			}
			p, ok := req.GetParams().(*mcp.CallToolParams)
			if !ok || p == nil {
				return next(ctx, method, req)
			}
			return c.callTool(ctx, next, method, req, p)
		}
	}
}

// callTool observes one tools/call request that a client sends.
func (c *config) callTool(ctx context.Context, next mcp.MethodHandler, method string, req mcp.Request, p *mcp.CallToolParams) (mcp.Result, error) {
	var buf [8]observe.Option // no allocation for the usual few options
	opts := append(buf[:0], observe.AsType(observe.TypeTool), observe.ObeyCaptureSwitches(), observe.WithInput(p.Arguments))
	opts = append(opts, c.obs...)
	octx, obs := observe.Start(ctx, observationName(p.Name), opts...)
	if obs.TraceID() == "" {
		return next(ctx, method, req) // no client, or tracing is off
	}
	defer obs.End() // records a panic that passes through, and lets it go on
	// A call sampled out still sends its trace context, so that the
	// server keeps the caller's decision instead of making its own.
	res, err := next(octx, method, withTraceContext(octx, req, p))
	finish(obs, req, res, err)
	return res, err
}

// withTraceContext returns req with the trace context of ctx in a copy
// of its _meta, so that the caller's params stay as the caller left them.
func withTraceContext(ctx context.Context, req mcp.Request, p *mcp.CallToolParams) mcp.Request {
	cs, ok := req.GetSession().(*mcp.ClientSession)
	if !ok {
		return req
	}
	meta := make(map[string]any, len(p.Meta)+3)
	maps.Copy(meta, p.Meta)
	inject(ctx, meta)
	cp := *p
	cp.Meta = meta
	return &mcp.ClientRequest[mcp.Params]{Session: cs, Params: &cp}
}
