// Command genai records Gemini calls made with google.golang.org/genai as
// Langfuse generations, with only the transport added to the SDK's client.
//
// It needs no API key and no network: it starts a local server that
// answers like the Gemini API, one whole answer and one streamed. Without
// LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY the trace is printed to
// stdout; with them it is sent to Langfuse.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"google.golang.org/genai"

	"github.com/observe-go/langfuse"
	langfusegenai "github.com/observe-go/langfuse/integrations/genai"
	"github.com/observe-go/langfuse/observe"
)

func main() {
	if err := run(context.Background(), os.Stdout, langfuse.WithConsoleWriter(os.Stdout)); err != nil {
		log.Fatal(err)
	}
}

// run answers two questions under one observation, then shuts the client
// down so that the trace is printed (or sent) before it returns.
func run(ctx context.Context, out io.Writer, opts ...langfuse.Option) error {
	baseURL, stop, err := startFakeGemini()
	if err != nil {
		return err
	}
	defer stop()

	lf, err := langfuse.New(opts...)
	if err != nil {
		// A malformed LANGFUSE_* variable costs only its own setting.
		log.Printf("langfuse: %v", err)
	}
	err = ask(lf.Context(ctx), out, baseURL)

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if serr := lf.Shutdown(shutdownCtx); serr != nil && err == nil {
		err = serr
	}
	return err
}

// ask uses the SDK as its documentation shows; the transport in the HTTP
// client is the only addition.
func ask(ctx context.Context, out io.Writer, baseURL string) error {
	client, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:  "example-key", // a real program reads GEMINI_API_KEY
		Backend: genai.BackendGeminiAPI,
		HTTPClient: &http.Client{Transport: langfusegenai.NewTransport(nil,
			// Options of package observe for every call the transport records.
			langfusegenai.WithObservationOptions(observe.WithMetadata(map[string]any{"feature": "sky"})))},
		HTTPOptions: genai.HTTPOptions{BaseURL: baseURL}, // the fake server; leave empty for Google's
	})
	if err != nil {
		return err
	}

	ctx, span := observe.Start(ctx, "explain-the-sky")
	defer span.End()

	resp, err := client.Models.GenerateContent(ctx, "gemini-2.5-flash",
		genai.Text("Why is the sky blue? One sentence."),
		&genai.GenerateContentConfig{Temperature: genai.Ptr[float32](0.2), MaxOutputTokens: 64})
	if err != nil {
		span.RecordError(err)
		return err
	}
	fmt.Fprintln(out, resp.Text())

	for chunk, err := range client.Models.GenerateContentStream(ctx, "gemini-2.5-flash",
		genai.Text("And at sunset?"), nil) {
		if err != nil {
			span.RecordError(err)
			return err
		}
		fmt.Fprint(out, chunk.Text())
	}
	fmt.Fprintln(out)
	return nil
}

// startFakeGemini serves generateContent and streamGenerateContent on
// 127.0.0.1 as the Gemini API does, and returns its base URL.
func startFakeGemini() (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(fakeGemini), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func fakeGemini(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method != http.MethodPost:
		http.NotFound(w, r)
	case strings.HasSuffix(r.URL.Path, ":generateContent"):
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = io.WriteString(w, `{
  "candidates": [{
    "content": {"role": "model", "parts": [{"text": "Air scatters blue sunlight more than red, so blue reaches us from all over the sky."}]},
    "finishReason": "STOP", "index": 0
  }],
  "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 19, "thoughtsTokenCount": 24, "totalTokenCount": 53},
  "modelVersion": "gemini-2.5-flash-001",
  "responseId": "fake-response-1"
}`)
	case strings.HasSuffix(r.URL.Path, ":streamGenerateContent"):
		w.Header().Set("Content-Type", "text/event-stream")
		for _, chunk := range []string{
			`{"candidates": [{"content": {"role": "model", "parts": [{"text": "Sunlight crosses more air,"}]}, "index": 0}], "modelVersion": "gemini-2.5-flash-001", "responseId": "fake-response-2"}`,
			`{"candidates": [{"content": {"role": "model", "parts": [{"text": " so the blue is scattered away"}]}, "index": 0}], "modelVersion": "gemini-2.5-flash-001", "responseId": "fake-response-2"}`,
			`{"candidates": [{"content": {"role": "model", "parts": [{"text": " and red is left."}]}, "finishReason": "STOP", "index": 0}], "usageMetadata": {"promptTokenCount": 22, "candidatesTokenCount": 17, "totalTokenCount": 39}, "modelVersion": "gemini-2.5-flash-001", "responseId": "fake-response-2"}`,
		} {
			fmt.Fprintf(w, "data: %s\r\n\r\n", chunk)
			w.(http.Flusher).Flush()
		}
	default:
		http.NotFound(w, r)
	}
}
