package langfusemcp

import (
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/observe-go/langfuse/observe"
)

// maxErrorMessage is the longest protocol error message recorded.
const maxErrorMessage = 4096

// finish ends obs, the observation of the tool call req, with what it
// came to: res, or err.
func finish(obs *observe.Observation, req mcp.Request, res mcp.Result, err error) {
	if !obs.IsRecording() {
		obs.End() // sampled out: nothing to write
		return
	}
	if err != nil {
		obs.End(observe.WithLevel(observe.LevelError),
			observe.WithStatusMessage(secretsOf(req, err).redact(errorMessage(err))))
		return
	}
	r, ok := res.(*mcp.CallToolResult)
	if !ok || r == nil {
		obs.End()
		return
	}
	if !r.IsError {
		obs.End(observe.WithOutput(outputOf(r)))
		return
	}
	obs.End(observe.WithOutput(outputOf(r)), observe.WithLevel(observe.LevelError),
		observe.WithStatusMessage(secretsOf(req, nil).redact(toolErrorMessage(r))))
}

// secretsOf returns the secrets of req that a message about it must not
// show: the session id, the credential headers of the HTTP request it
// came in (on a server, over streamable HTTP), and those of the URLs err
// quotes.
func secretsOf(req mcp.Request, err error) secrets {
	var s secrets
	s.addSession(req)
	if extra := req.GetExtra(); extra != nil && extra.Header != nil {
		s.addHeaders(extra.Header)
	}
	if err != nil {
		s.addURLs(err)
	}
	return s
}

// errorMessage is err's text, cut at maxErrorMessage. An Error method
// that panics gives a placeholder: the error goes back to the caller,
// whose own handling meets the panic.
func errorMessage(err error) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = "<panic in Error>"
		}
	}()
	msg = err.Error()
	if len(msg) > maxErrorMessage {
		msg = clip(msg, maxErrorMessage) + "…"
	}
	return msg
}
