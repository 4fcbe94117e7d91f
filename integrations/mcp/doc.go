// Package langfusemcp records tool calls over the Model Context Protocol
// as Langfuse tool observations, on both sides of the call, and joins the
// two sides into one trace: a tool served by another process nests under
// the agent that called it.
//
// It is middleware of the official Go SDK
// (github.com/modelcontextprotocol/go-sdk/mcp). Add ClientMiddleware to
// the client and ServerMiddleware to the server:
//
//	client := mcp.NewClient(&mcp.Implementation{Name: "agent"}, nil)
//	client.AddSendingMiddleware(langfusemcp.ClientMiddleware())
//
//	server := mcp.NewServer(&mcp.Implementation{Name: "weather"}, nil)
//	server.AddReceivingMiddleware(langfusemcp.ServerMiddleware())
//	mcp.AddTool(server, &mcp.Tool{Name: "forecast"}, forecast)
//
//	ctx, agent := observe.Start(ctx, "plan-trip", observe.AsType(observe.TypeAgent))
//	defer agent.End()
//	res, err := session.CallTool(ctx, &mcp.CallToolParams{
//		Name:      "forecast",
//		Arguments: map[string]any{"city": "Lisbon"},
//	})
//
// # What is recorded
//
// Each tools/call request is one observation of type tool on each side,
// named after the tool: on the client a child of the observation in the
// call's context, on the server a child of the client's observation. The
// server's handler gets a context in which its observation is current, so
// the observations (and generations of the model SDK transports) the tool
// makes nest under it. Each holds:
//
//   - input: the call's arguments (on the server the JSON as it came, or
//     a placeholder when it is over 16 MiB);
//   - output: {"content": [...], "structuredContent": ..., "isError": ...}
//     as the result travels, without its _meta; image and audio data are
//     base64, cut at the client's capture limit like any other text;
//   - level ERROR for a result with isError set, with the text of its
//     content as status message (cut at 1 KiB);
//   - level ERROR for a protocol error (an unknown tool, invalid
//     arguments, a connection that broke), with the error's text as
//     status message; the error is returned unchanged.
//
// Other requests (tools/list, resources, prompts, notifications) are not
// recorded and pass through untouched. A panic in a tool handler is
// recorded on the server's observation and goes on with the same value.
//
// # How the trace travels
//
// The client puts the W3C trace context of its tool observation in the
// request's _meta, under the keys traceparent and tracestate, as the MCP
// specification reserves them, and the W3C baggage of the context under
// baggage when the context holds any (observe.Attributes.AsBaggage puts
// it there; nothing else of Langfuse's does). The server reads the trace
// context back from _meta with the same propagators
// (go.opentelemetry.io/otel/propagation, used directly: the global
// OpenTelemetry propagator is neither read nor changed) and continues the
// caller's trace with its sampling decision.
//
// The context travels in the message, not in transport headers, so it is
// the same over every transport of the SDK:
//
//   - over stdio (mcp.CommandTransport to a subprocess, mcp.StdioTransport
//     in it), where there are no headers at all, the server process nests
//     its tool observations under the agent's; give each process its own
//     Langfuse client, with the same keys, and the two halves meet in one
//     trace in Langfuse;
//   - over streamable HTTP (mcp.StreamableClientTransport,
//     mcp.NewStreamableHTTPHandler) each request is a POST whose JSON body
//     holds the _meta; a traceparent HTTP header is not needed and not
//     read. The SDK runs a session's handlers with the context of the
//     HTTP request that opened the session, so a span in that context,
//     such as the observation of langfuse.ObserveHandler around the
//     endpoint, belongs to that first request: the _meta's trace context
//     wins over it. Bind the server's Langfuse client to the handler's
//     context with http.Server.BaseContext and Client.Context, or let the
//     default client record;
//   - over the in-memory transports (mcp.NewInMemoryTransports), client
//     and server in one process, the server's observation nests under the
//     client's in the same way.
//
// A server without ServerMiddleware, or with another instrumentation,
// ignores the _meta keys or reads them as the MCP specification says. A
// server with ServerMiddleware called by a client that sends no trace
// context records each tool call as a trace of its own, or under the span
// in the handler's context.
//
// # What is never recorded
//
// HTTP request headers (so the Authorization header of streamable HTTP),
// the OAuth token info and the session id are never recorded. Status
// messages made from outside the process (a protocol error, the text of a
// tool's error) have the session id, the credential headers of the
// request on the server, the password and query values of a URL an HTTP
// error quotes, and any "Bearer" or "Basic" credential taken out. The
// arguments and the result of a call are recorded as they are: turn them
// off with WithObservationOptions(observe.CaptureInput(false),
// observe.CaptureOutput(false)) for tools that handle secrets, or mask
// them with langfuse.WithTextMask.
//
// # Guarantees
//
// The middleware never changes what a call returns: the result and the
// error reach the caller as the SDK made them. It writes nothing into the
// caller's params: the trace context goes into a copy of the request's
// _meta. The server reads at most 512 bytes of traceparent and 8 KiB each
// of tracestate and baggage, and ignores a longer value whole. With
// tracing disabled, or no Langfuse client in the context, every call
// passes through untouched, at no allocation. The capture switches
// (observe.CaptureInput and observe.CaptureOutput given through
// WithObservationOptions, and LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED),
// masks and size limits of the client apply.
package langfusemcp
