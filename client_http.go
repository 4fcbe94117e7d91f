package langfuse

import (
	"net/http"
)

// WithHTTPClient makes every request to Langfuse (spans, scores, prompts
// and datasets) go through c: for a self-hosted Langfuse behind a private CA,
// a proxy, or mTLS, set them on c's Transport. c itself is not changed:
// the client sends through a copy of it whose redirect policy first
// refuses a redirect that would change a request's method or drop its
// body, or lead to another origin (scheme, host and port) than
// LANGFUSE_BASE_URL's, which would receive the API keys, and then
// applies c's own; whose Timeout is LANGFUSE_TIMEOUT unless c's is
// shorter. Shutdown leaves c's idle connections to its owner. Without
// this option the client uses a transport of its own, a copy of
// http.DefaultTransport.
func WithHTTPClient(c *http.Client) Option {
	return optionFunc(func(s *settings) { s.http = c })
}
