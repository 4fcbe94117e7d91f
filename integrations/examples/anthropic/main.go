// Command anthropic records calls of the official Anthropic Go SDK as
// Langfuse generations with the langfuseanthropic transport: one answer
// read whole, one streamed, both under the observation of the request
// that asked for them.
//
// It needs no key and no network: it answers the calls with a stand-in
// for the Messages API on 127.0.0.1. With LANGFUSE_PUBLIC_KEY and
// LANGFUSE_SECRET_KEY set it sends the trace to Langfuse; without them it
// prints the trace tree to stdout.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/observe-go/langfuse"
	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
	"github.com/observe-go/langfuse/observe"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run makes the two calls and prints the answers, and the trace when no
// Langfuse keys are set, to w.
func run(ctx context.Context, w io.Writer) error {
	api := httptest.NewServer(http.HandlerFunc(fakeMessagesAPI))
	defer api.Close()

	lf, err := langfuse.New(langfuse.WithConsoleWriter(w), langfuse.AsDefault(false))
	if err != nil {
		log.Printf("langfuse: %v", err)
	}
	defer func() {
		// Shutdown sends, or prints, what is left; a failure is worth a line.
		if err := lf.Shutdown(context.Background()); err != nil {
			log.Printf("langfuse: %v", err)
		}
	}()
	ctx = lf.Context(ctx)

	// The SDK as its documentation shows it, with only the transport added
	// (and the stand-in's address and a key it accepts).
	client := anthropic.NewClient(
		option.WithBaseURL(api.URL),
		option.WithAPIKey("sk-ant-example"),
		option.WithHTTPClient(&http.Client{Transport: langfuseanthropic.NewTransport(nil,
			// Options of package observe for every call the transport records.
			langfuseanthropic.WithObservationOptions(observe.WithMetadata(map[string]any{"feature": "trips"})))}),
	)

	ctx, span := observe.Start(ctx, "plan-trip", observe.AsType(observe.TypeAgent))
	defer span.End()

	msg, err := client.Messages.New(ctx, anthropic.MessageNewParams{
		Model:     anthropic.ModelClaudeSonnet4_6,
		MaxTokens: 256,
		System:    []anthropic.TextBlockParam{{Text: "You are a travel assistant."}},
		Messages: []anthropic.MessageParam{
			anthropic.NewUserMessage(anthropic.NewTextBlock("Name one sight in Lisbon.")),
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "answer:", msg.Content[0].Text)

	stream := client.Messages.NewStreaming(ctx, anthropic.MessageNewParams{
		Model:     anthropic.ModelClaudeSonnet4_6,
		MaxTokens: 256,
		Messages: []anthropic.MessageParam{
			anthropic.NewUserMessage(anthropic.NewTextBlock("And one in Porto?")),
		},
	})
	var streamed anthropic.Message
	for stream.Next() {
		if err := streamed.Accumulate(stream.Current()); err != nil {
			return err
		}
	}
	if err := stream.Err(); err != nil {
		return err
	}
	if err := stream.Close(); err != nil {
		return err
	}
	fmt.Fprintln(w, "streamed:", streamed.Content[0].Text)
	span.End(observe.WithOutput(streamed.Content[0].Text))
	return nil
}

// fakeMessagesAPI answers POST /v1/messages as the Anthropic API does: a
// whole message as JSON, or with "stream": true a stream of server-sent
// events.
func fakeMessagesAPI(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Stream bool `json:"stream"`
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/messages" || decode(r, &req) != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"type":"error","error":{"type":"not_found_error","message":"Not found"}}`)
		return
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"msg_01Lisbon","type":"message","role":"assistant","model":"claude-sonnet-4-6-20260115",`+
			`"content":[{"type":"text","text":"The Belém Tower."}],"stop_reason":"end_turn","stop_sequence":null,`+
			`"usage":{"input_tokens":21,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":7}}`)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flusher, _ := w.(http.Flusher)
	for _, e := range [][2]string{
		{"message_start", `{"type":"message_start","message":{"id":"msg_01Porto","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-6-20260115","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":14,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}`},
		{"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`},
		{"ping", `{"type":"ping"}`},
		{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"The Dom Luís I "}}`},
		{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Bridge."}}`},
		{"content_block_stop", `{"type":"content_block_stop","index":0}`},
		{"message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":8}}`},
		{"message_stop", `{"type":"message_stop"}`},
	} {
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e[0], e[1])
		if flusher != nil {
			flusher.Flush()
		}
	}
}

func decode(r *http.Request, v any) error {
	return json.NewDecoder(r.Body).Decode(v)
}
