package llmhttp

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// fixProvider records every request as a generation whose input is the
// request body; its stream ends at an event named "stop".
type fixProvider struct{}

func (fixProvider) Operation(*http.Request) (Operation, bool) {
	return Operation{Name: "call", Type: observe.TypeGeneration}, true
}
func (fixProvider) Request(_ Operation, body []byte) Request         { return Request{Input: string(body)} }
func (fixProvider) Response(_ Operation, body []byte) Result         { return Result{Output: string(body)} }
func (fixProvider) Framing(_ Operation, resp *http.Response) Framing { return FrameSSE(resp) }
func (fixProvider) Stream(Operation, *Budget) Stream                 { return &fixStream{} }
func (fixProvider) ErrorMessage(int, []byte) string                  { return "" }

type fixStream struct {
	text  strings.Builder
	ended bool
}

func (s *fixStream) Event(event string, data []byte) {
	s.ended = s.ended || event == "stop"
	s.text.Write(data)
}
func (s *fixStream) Result() Result { return Result{Output: s.text.String(), Ended: s.ended} }

// TestSharedGetBody: a GetBody that hands out the reader Body reads too,
// sought back to its start, as anthropic-sdk-go's Vertex AI middleware
// writes it. The body sent must still be whole.
func TestSharedGetBody(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	const body = `{"messages":[{"role":"user","content":"Hi"}]}`
	reader := bytes.NewReader([]byte(body))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:1/v1/messages", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(reader)
	req.GetBody = func() (io.ReadCloser, error) {
		_, err := reader.Seek(0, io.SeekStart)
		return io.NopCloser(reader), err
	}
	req.ContentLength = int64(len(body))

	var sent []byte
	base := llmtest.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent, _ = io.ReadAll(r.Body)
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r}, nil
	})
	resp, err := New(base, fixProvider{}, Config{}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()

	if string(sent) != body {
		t.Errorf("sent body %q, want %q", sent, body)
	}
	gen, ok := rec.Find("call")
	if !ok {
		t.Fatal("no generation")
	}
	if gen.Input != body {
		t.Errorf("input %q, want %q", gen.Input, body)
	}
}
