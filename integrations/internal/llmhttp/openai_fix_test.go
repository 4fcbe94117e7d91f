package llmhttp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// endProvider streams events until one whose data is "END".
type endProvider struct{}

func (endProvider) Operation(*http.Request) (Operation, bool) {
	return Operation{Name: "call", Type: observe.TypeGeneration}, true
}
func (endProvider) Request(Operation, []byte) Request { return Request{} }
func (endProvider) Response(Operation, []byte) Result { return Result{} }
func (endProvider) Stream(Operation) Stream           { return &endStream{} }
func (endProvider) ErrorMessage(int, []byte) string   { return "" }
func (s *endStream) Event(_ string, data []byte) {
	s.text += string(data)
	s.ended = string(data) == "END"
}
func (s *endStream) Result() Result { return Result{Output: s.text, Ended: s.ended} }

type endStream struct {
	text  string
	ended bool
}

// TestStreamEOFWithoutFinalEvent: a stream whose body ends cleanly before
// its final event was cut short, and is recorded at WARNING; one that
// reached its final event is not.
func TestStreamEOFWithoutFinalEvent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body, level, status string
	}{
		{"data: a\n\ndata: END\n\n", "", ""},
		{"data: a\n\ndata: b\n\n", "WARNING", "stream ended before its final event"},
	} {
		ctx, rec := langfusetest.New(t)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, tc.body)
		}))
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := New(nil, endProvider{}, nil).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		srv.Close()
		if string(got) != tc.body {
			t.Errorf("body %q, want %q", got, tc.body)
		}
		o, ok := rec.Find("call")
		if !ok {
			t.Fatal("no observation")
		}
		if o.Level != tc.level || o.StatusMessage != tc.status {
			t.Errorf("%q: level %q status %q, want %q %q", tc.body, o.Level, o.StatusMessage, tc.level, tc.status)
		}
	}
}
