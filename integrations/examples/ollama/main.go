// Command ollama records calls of Ollama's own Go client as Langfuse
// generations with the langfuseollama transport: one chat answered
// whole, one streamed, both under the observation of the request that
// asked for them.
//
// It needs no Ollama and no network: it answers the calls with a
// stand-in for Ollama's API on 127.0.0.1. With LANGFUSE_PUBLIC_KEY and
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
	"net/url"
	"os"
	"strings"

	"github.com/ollama/ollama/api"

	"github.com/observe-go/langfuse"
	langfuseollama "github.com/observe-go/langfuse/integrations/ollama"
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
	server := httptest.NewServer(http.HandlerFunc(fakeOllama))
	defer server.Close()

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

	// Ollama's client as its documentation shows it, with only the
	// transport added (and the stand-in's address for Ollama's).
	base, err := url.Parse(server.URL)
	if err != nil {
		return err
	}
	client := api.NewClient(base, &http.Client{Transport: langfuseollama.NewTransport(nil,
		// Options of package observe for every call the transport records.
		langfuseollama.WithObservationOptions(observe.WithMetadata(map[string]any{"feature": "trips"})))})

	ctx, span := observe.Start(ctx, "plan-trip", observe.AsType(observe.TypeAgent))
	defer span.End()

	whole := false
	var answer string
	err = client.Chat(ctx, &api.ChatRequest{
		Model: "llama3.2",
		Messages: []api.Message{
			{Role: "system", Content: "You are a travel assistant."},
			{Role: "user", Content: "Name one sight in Lisbon."},
		},
		Stream:  &whole,
		Options: map[string]any{"temperature": 0.2},
	}, func(r api.ChatResponse) error { answer = r.Message.Content; return nil })
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "answer:", answer)

	var streamed strings.Builder
	err = client.Chat(ctx, &api.ChatRequest{
		Model:    "llama3.2",
		Messages: []api.Message{{Role: "user", Content: "And one in Porto?"}},
	}, func(r api.ChatResponse) error { streamed.WriteString(r.Message.Content); return nil })
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "streamed:", streamed.String())
	span.End(observe.WithOutput(streamed.String()))
	return nil
}

// fakeOllama answers POST /api/chat as Ollama does: a whole answer as
// JSON when the request sets "stream": false, else a stream of
// newline-delimited JSON, one line per piece of text and a last one with
// the counts and timings.
func fakeOllama(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Stream *bool `json:"stream"`
	}
	if r.Method != http.MethodPost || r.URL.Path != "/api/chat" || json.NewDecoder(r.Body).Decode(&req) != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"not found"}`)
		return
	}
	const metrics = `"total_duration":812000000,"load_duration":21000000,"prompt_eval_count":%d,"prompt_eval_duration":95000000,"eval_count":%d,"eval_duration":640000000`
	if req.Stream != nil && !*req.Stream {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, `{"model":"llama3.2","created_at":"2026-01-01T10:00:00Z","message":{"role":"assistant","content":"The Belém Tower."},"done":true,"done_reason":"stop",`+metrics+`}`, 24, 6)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	flusher, _ := w.(http.Flusher)
	for _, piece := range []string{"The Dom Luís I ", "Bridge."} {
		fmt.Fprintf(w, `{"model":"llama3.2","created_at":"2026-01-01T10:00:01Z","message":{"role":"assistant","content":%q},"done":false}`+"\n", piece)
		if flusher != nil {
			flusher.Flush()
		}
	}
	fmt.Fprintf(w, `{"model":"llama3.2","created_at":"2026-01-01T10:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop",`+metrics+"}\n", 15, 7)
}
