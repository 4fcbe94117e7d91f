// Command openai records calls of the official OpenAI Go SDK as Langfuse
// generations by giving the SDK's HTTP client the langfuseopenai
// transport; nothing else in the calling code changes.
//
// It needs no API key and no network: a local server on 127.0.0.1 stands
// in for the OpenAI API and answers one chat completion and one streamed
// chat completion. Without LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY the
// trace tree is printed to stderr; with them it is sent to Langfuse.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/observe-go/langfuse"
	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
	"github.com/observe-go/langfuse/observe"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run makes the two calls under one observation and prints the answers
// to out; the langfuse client options say where the trace goes.
func run(out io.Writer, opts ...langfuse.Option) (err error) {
	lf, lerr := langfuse.New(opts...)
	if lerr != nil {
		log.Printf("langfuse: %v", lerr)
	}
	// Shutdown prints (or sends) the trace before the program exits.
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if serr := lf.Shutdown(ctx); serr != nil && err == nil {
			err = serr
		}
	}()

	api := httptest.NewServer(http.HandlerFunc(fakeOpenAI))
	defer api.Close()

	// The SDK as its documentation shows it, with the transport added.
	client := openai.NewClient(
		option.WithBaseURL(api.URL+"/v1/"),
		option.WithAPIKey("sk-local-fake-key"),
		option.WithHTTPClient(&http.Client{Transport: langfuseopenai.NewTransport(nil,
			// Options of package observe for every call the transport records.
			langfuseopenai.WithObservationOptions(observe.WithMetadata(map[string]any{"feature": "trips"})))}),
	)

	ctx, agent := observe.Start(context.Background(), "trip-planner", observe.AsType(observe.TypeAgent))
	defer agent.End()

	completion, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model: openai.ChatModelGPT4oMini,
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("You are a travel guide. Answer in one sentence."),
			openai.UserMessage("What is the capital of France?"),
		},
		Temperature: openai.Float(0.2),
	})
	if err != nil {
		agent.RecordError(err)
		return err
	}
	fmt.Fprintln(out, completion.Choices[0].Message.Content)

	stream := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:         openai.ChatModelGPT4oMini,
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Name three sights in Paris.")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	defer stream.Close()
	for stream.Next() {
		if c := stream.Current(); len(c.Choices) > 0 {
			fmt.Fprint(out, c.Choices[0].Delta.Content)
		}
	}
	fmt.Fprintln(out)
	if err := stream.Err(); err != nil {
		agent.RecordError(err)
		return err
	}
	return nil
}

// fakeOpenAI answers POST /v1/chat/completions as the OpenAI API does:
// a chat.completion object, or chat.completion.chunk events when the
// request asks for a stream.
func fakeOpenAI(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
		return
	}
	if !strings.Contains(string(body), `"stream":true`) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o-mini-2024-07-18",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":"Paris is the capital of France.","refusal":null},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":27,"completion_tokens":8,"total_tokens":35,"prompt_tokens_details":{"cached_tokens":0}}}`)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	chunk := func(delta, finish, usage string) {
		fmt.Fprintf(w, `data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1741569953,"model":"gpt-4o-mini-2024-07-18","choices":[%s],"usage":%s}`+"\n\n", func() string {
			if delta == "" && finish == "" {
				return ""
			}
			f := "null"
			if finish != "" {
				f = `"` + finish + `"`
			}
			return `{"index":0,"delta":` + delta + `,"finish_reason":` + f + `}`
		}(), usage)
		w.(http.Flusher).Flush()
	}
	chunk(`{"role":"assistant","content":""}`, "", "null")
	for _, tok := range []string{"The Eiffel Tower", ", the Louvre", " and Notre-Dame."} {
		chunk(`{"content":"`+tok+`"}`, "", "null")
	}
	chunk(`{}`, "stop", "null")
	chunk("", "", `{"prompt_tokens":13,"completion_tokens":12,"total_tokens":25}`)
	_, _ = io.WriteString(w, "data: [DONE]\n\n")
}
