package langfuseanthropic_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/observe-go/langfuse"
	langfuseanthropic "github.com/observe-go/langfuse/integrations/anthropic"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// The transport goes into the SDK's HTTP client; every Messages call made
// with a context that holds a Langfuse client is then recorded. A stand-in
// for the API answers here, and a recorder takes the place of Langfuse.
func Example() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-6-20260115",`+
			`"content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,`+
			`"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":3}}`)
	}))
	defer api.Close()

	rec := langfusetest.NewRecorder()
	lf, _ := langfuse.New(langfuse.WithSpanExporter(rec), langfuse.AsDefault(false))
	ctx := lf.Context(context.Background())

	client := anthropic.NewClient(
		option.WithBaseURL(api.URL),
		option.WithAPIKey("sk-ant-example"),
		option.WithHTTPClient(&http.Client{Transport: langfuseanthropic.NewTransport(nil)}),
	)
	ctx, span := observe.Start(ctx, "greet")
	msg, err := client.Messages.New(ctx, anthropic.MessageNewParams{
		Model:     anthropic.ModelClaudeSonnet4_6,
		MaxTokens: 100,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hi"))},
	})
	span.End()
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = lf.Shutdown(context.Background())

	gen, _ := rec.Find("anthropic.messages")
	fmt.Println(msg.Content[0].Text)
	fmt.Println(gen.Type, gen.Attr("langfuse.observation.model.name"))
	fmt.Println(gen.Attr("langfuse.observation.model.parameters"))
	fmt.Println(gen.Input)
	fmt.Println(gen.Output)
	fmt.Println(gen.Attr("langfuse.observation.usage_details"))
	// Output:
	// Hello!
	// generation claude-sonnet-4-6-20260115
	// {"max_tokens":100}
	// [{"content":[{"text":"Hi","type":"text"}],"role":"user"}]
	// {"role":"assistant","content":[{"type":"text","text":"Hello!"}]}
	// {"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"input":10,"output":3,"total":13}
}

// Options of package observe for every call the transport records: here
// the input (prompts that may hold personal data) is not captured, and
// each generation carries the feature it serves.
func ExampleWithObservationOptions() {
	client := &http.Client{Transport: langfuseanthropic.NewTransport(nil,
		langfuseanthropic.WithObservationOptions(
			observe.CaptureInput(false),
			observe.WithMetadata(map[string]any{"feature": "search"})))}
	_ = client // the SDK's HTTP client
}
