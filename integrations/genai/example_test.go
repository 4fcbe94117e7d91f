package langfusegenai_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"google.golang.org/genai"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// The transport goes into the HTTP client of the SDK; each call made with
// a context that holds an observation is recorded below it. A fake Gemini
// API stands in for Google's here.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"candidates": [{"content": {"role": "model", "parts": [{"text": "Hello!"}]}, "finishReason": "STOP"}],
 "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5}, "modelVersion": "gemini-2.5-flash-001"}`)
	}))
	defer srv.Close()
	rec := langfusetest.NewRecorder()
	// A client that records into rec, whatever LANGFUSE_* says; a program
	// calls langfuse.New() once in main.
	lf, _ := langfuse.New(langfuse.WithConfig(config.Default()), langfuse.WithSpanExporter(rec), langfuse.AsDefault(false))
	ctx := lf.Context(context.Background())

	client, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:      "my-key",
		Backend:     genai.BackendGeminiAPI,
		HTTPClient:  &http.Client{Transport: langfusegenai.NewTransport(nil)},
		HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL},
	})
	if err != nil {
		panic(err)
	}
	ctx, span := observe.Start(ctx, "greet")
	resp, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("Say hello"), nil)
	span.End()
	if err != nil {
		panic(err)
	}
	_ = lf.Shutdown(context.Background())

	fmt.Println(resp.Text())
	g, _ := rec.Find("genai.generateContent")
	fmt.Println(g.Type, g.Attr("langfuse.observation.model.name"))
	fmt.Println(g.Attr("langfuse.observation.usage_details"))
	fmt.Println(g.Output)
	// Output:
	// Hello!
	// generation gemini-2.5-flash-001
	// {"input":3,"output":2,"total":5}
	// {"role":"model","parts":[{"text":"Hello!"}]}
}

// Options of package observe for every call the transport records: here
// the input (prompts that may hold personal data) is not captured, and
// each generation carries the feature it serves.
func ExampleWithObservationOptions() {
	client := &http.Client{Transport: langfusegenai.NewTransport(nil,
		langfusegenai.WithObservationOptions(
			observe.CaptureInput(false),
			observe.WithMetadata(map[string]any{"feature": "search"})))}
	_ = client // the SDK's HTTP client
}
