// Package lfhttp is the one way the library speaks HTTP to Langfuse: the
// endpoints, the credentials and SDK headers every request carries, the
// redirect policy, the bound on a request's size, the reading of
// Retry-After and the backoff between retries, the redaction of what an
// answer echoes, and the request bodies whose buffers are reused only
// once the transport is done with them. Spans (package tracing), scores
// (internal/scores) and prompts go through it.
//
// A Client sends through the program's own *http.Client when it has one
// (a private CA, a proxy, mTLS), never changing it, or through a
// transport of its own. Whichever it is, no request follows a redirect
// that would change its method or drop its body, and none follows one to
// another origin, where the credentials would go: such an answer is a
// *RedirectError.
package lfhttp
