package langfuseopenai_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/observe-go/langfuse"
	langfuseopenai "github.com/observe-go/langfuse/integrations/openai"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/tracing"
)

// The transport plugged into the official SDK's HTTP client: the call
// becomes a generation under the caller's observation. A local server
// stands in for the OpenAI API, and the trace is printed to the console.
func Example() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini-2024-07-18",
			"choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],
			"usage":{"prompt_tokens":14,"completion_tokens":2,"total_tokens":16}}`)
	}))
	defer api.Close()

	lf, _ := langfuse.New(
		langfuse.WithSpanExporter(tracing.NewConsoleExporter(os.Stdout, tracing.WithoutDurations())),
		langfuse.AsDefault(false))
	ctx := lf.Context(context.Background())

	client := openai.NewClient(
		option.WithBaseURL(api.URL),
		option.WithAPIKey("sk-..."),
		option.WithHTTPClient(&http.Client{Transport: langfuseopenai.NewTransport(nil)}),
	)

	ctx, span := observe.Start(ctx, "answer-question",
		observe.WithTraceContext(observe.CreateTraceID("example"), ""))
	completion, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    openai.ChatModelGPT4oMini,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Capital of France?")},
	})
	span.End()
	if err != nil {
		fmt.Println(err)
	} else {
		fmt.Println(completion.Choices[0].Message.Content)
	}
	_ = lf.Shutdown(context.Background())
	// Output:
	// Paris.
	// trace 50d858e0985ecc7f60418aaf0cc5ab58
	// └─ answer-question  span
	//    └─ openai.chat.completions  generation  model=gpt-4o-mini-2024-07-18 usage={"input":14,"output":2,"total":16}
	//          input:  [{"content":"Capital of France?","role":"user"}]
	//          output: {"role":"assistant","content":"Paris."}
	//          meta:   finish_reason=stop response_id=chatcmpl-1
}

// Options of package observe for every call the transport records: here
// the input (prompts that may hold personal data) is not captured, and
// each generation carries the feature it serves.
func ExampleWithObservationOptions() {
	client := &http.Client{Transport: langfuseopenai.NewTransport(nil,
		langfuseopenai.WithObservationOptions(
			observe.CaptureInput(false),
			observe.WithMetadata(map[string]any{"feature": "search"})))}
	_ = client // the SDK's HTTP client
}
