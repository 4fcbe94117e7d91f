package langfusemcp

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/observe-go/langfuse/observe"
)

// ServerMiddleware returns a receiving middleware for an mcp.Server that
// records every tools/call request it serves as an observation of type
// tool, and passes the handler a context in which that observation is
// current, so that the handler's own observations nest under it. Add it
// with mcp.Server.AddReceivingMiddleware; other requests pass through
// untouched, and so does every request while tracing is off. The
// returned middleware is safe for concurrent use.
//
// A request whose _meta holds a W3C traceparent (as ClientMiddleware and
// other MCP clients send it) continues the caller's trace: the
// observation is a child of the caller's tool observation, in the
// caller's trace, with the caller's sampling decision, even when the
// server runs in another process. Without one, the observation is a
// child of the span in the handler's context, if any, else the root of a
// new trace. The trace context is read from the message, never from HTTP
// headers, so it arrives the same over stdio and over streamable HTTP;
// values that are not valid, not strings or too long are ignored. The
// langfuse_* members of the request's W3C baggage are applied only with
// WithReadBaggage(true).
//
// The observation is named after the tool. Its input is the call's
// arguments as they came; its output the result's content, structured
// content and isError flag. A result with isError set (a ToolHandlerFor
// that returned an error, among others) has level ERROR and the text of
// its content as status message; a protocol error has level ERROR and the
// error's text, credentials taken out, as status message, and is returned
// unchanged. Request headers (Authorization among them), the token info
// and the session id are never recorded.
func ServerMiddleware(opts ...Option) mcp.Middleware {
	c := newConfig(opts)
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != methodCallTool || req == nil {
				return next(ctx, method, req)
			}
			p, ok := req.GetParams().(*mcp.CallToolParamsRaw)
			if !ok || p == nil {
				return next(ctx, method, req)
			}
			return c.serveTool(ctx, next, method, req, p)
		}
	}
}

// serveTool observes one tools/call request that a server serves.
func (c *config) serveTool(ctx context.Context, next mcp.MethodHandler, method string, req mcp.Request, p *mcp.CallToolParamsRaw) (mcp.Result, error) {
	var buf [8]observe.Option // no allocation for the usual few options
	opts := append(buf[:0], observe.AsType(observe.TypeTool), observe.ObeyCaptureSwitches())
	opts = append(opts, c.obs...)
	octx, obs := observe.Start(extract(ctx, p.Meta, c.readBaggage), observationName(p.Name), opts...)
	if obs.TraceID() == "" {
		return next(ctx, method, req) // no client, or tracing is off
	}
	defer obs.End() // records a panic that passes through, and lets it go on
	if len(p.Arguments) > 0 && obs.IsRecording() {
		obs.Update(observe.WithInput(inputOf(p.Arguments)))
	}
	res, err := next(octx, method, req)
	finish(obs, req, res, err)
	return res, err
}

// maxArguments is the longest arguments text recorded: capture reads
// JSON whole (to compact it) before it cuts it at the client's limit.
const maxArguments = 16 << 20

// inputOf is what the arguments of a served call record as input: the
// JSON as it came, or a placeholder when it is longer than maxArguments.
func inputOf(args json.RawMessage) any {
	if len(args) > maxArguments {
		return fmt.Sprintf("[arguments of %d bytes not recorded]", len(args))
	}
	return args
}
