package llmhttp

import (
	"mime"
	"net/http"
	"strings"
)

// A Framer splits the body of a streamed response into its events as the
// bytes arrive, and hands each event, whole, to the function it was made
// with. Framing is the provider's: server-sent events for the OpenAI,
// Anthropic and Gemini wires, newline-delimited JSON for Ollama's, AWS
// event-stream messages for Amazon Bedrock's. A Framer never fails: what
// it cannot frame it passes over, and an event longer than it reads is
// skipped and counted. It is used by one goroutine at a time.
type Framer interface {
	// Write takes the next bytes of the body, which it must not keep.
	Write(p []byte)
	// End is called when the body ended cleanly (EOF): an event its last
	// bytes completed is handed on, one they left unfinished is dropped.
	End()
	// Skipped is how many events were passed over for their length.
	Skipped() int
}

// Framing makes the Framer of one streamed response, which hands each
// event to emit: its name ("" when the framing has none) and its data,
// which emit must not keep.
type Framing func(emit func(event string, data []byte)) Framer

// SSE frames server-sent events (text/event-stream), after the WHATWG
// rules: an event's name is its event field, its data the data lines
// joined by "\n".
func SSE(emit func(event string, data []byte)) Framer { return &sseReader{onEvent: emit} }

// NDJSON frames newline-delimited JSON (application/x-ndjson,
// application/jsonl): each line that is not blank is an event with no
// name, its data the line without its end ("\n" or "\r\n").
func NDJSON(emit func(event string, data []byte)) Framer { return &ndjsonReader{onEvent: emit} }

// MediaType is the media type of a response's Content-Type, lower-case
// and without parameters ("text/event-stream"); "" when there is none.
func MediaType(resp *http.Response) string {
	ct := resp.Header.Get("Content-Type")
	if ct == "" {
		return ""
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// FrameSSE is the framing of the wires that stream server-sent events: SSE
// for a text/event-stream answer, nil (a whole body) for any other.
func FrameSSE(resp *http.Response) Framing {
	if MediaType(resp) == "text/event-stream" {
		return SSE
	}
	return nil
}
