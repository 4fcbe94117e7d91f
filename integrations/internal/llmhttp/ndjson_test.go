package llmhttp

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
	"github.com/observe-go/langfuse/langfusetest"
)

// frame runs chunks through the framer framing makes and returns the
// events it handed on and how many it skipped.
func frame(framing Framing, chunks ...string) (events []sseEvent, skipped int) {
	f := framing(func(event string, data []byte) {
		events = append(events, sseEvent{event, string(data)})
	})
	for _, c := range chunks {
		f.Write([]byte(c))
	}
	f.End()
	return events, f.Skipped()
}

func TestNDJSON(t *testing.T) {
	for _, tc := range []struct {
		name   string
		chunks []string
		want   []sseEvent
	}{
		{"lines", []string{"{\"a\":1}\n{\"b\":2}\n"}, []sseEvent{{"", `{"a":1}`}, {"", `{"b":2}`}}},
		{"split anywhere", []string{"{\"a\"", ":1}\n{", "\"b\":2}", "\n"}, []sseEvent{{"", `{"a":1}`}, {"", `{"b":2}`}}},
		{"CRLF", []string{"{}\r\n{}\r", "\n"}, []sseEvent{{"", "{}"}, {"", "{}"}}},
		{"blank lines skipped", []string{"\n\n {} \n \r\n"}, []sseEvent{{"", " {} "}}},
		{"last line without its end", []string{"{}\n{\"done\":true}"}, []sseEvent{{"", "{}"}, {"", `{"done":true}`}}},
		{"empty", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, skipped := frame(NDJSON, tc.chunks...)
			assert.Equal(t, tc.want, got)
			assert.Zero(t, skipped)
		})
	}
}

func TestNDJSONSkipsALineTooLongToParse(t *testing.T) {
	long := strings.Repeat("x", maxEvent+10)
	got, skipped := frame(NDJSON, "a\n", long[:maxEvent/2], long[maxEvent/2:]+"\n", "b\n", long)
	assert.Equal(t, []sseEvent{{"", "a"}, {"", "b"}}, got)
	assert.Equal(t, 2, skipped)
}

// FuzzNDJSON: a stream gives the same lines however its bytes arrive, and
// they are the lines of the whole stream that are not blank.
func FuzzNDJSON(f *testing.F) {
	f.Add("{\"a\":1}\n{\"b\":2}\n", 3)
	f.Add("\r\n{}\r\n\n{\"x\":\"\\n\"}", 5)
	f.Fuzz(func(t *testing.T, stream string, cut int) {
		whole, _ := frame(NDJSON, stream)
		if cut < 0 {
			cut = -cut
		}
		cut %= len(stream) + 1
		split, _ := frame(NDJSON, stream[:cut], stream[cut:])
		assert.Equal(t, whole, split, "split at %d", cut)
		var want []sseEvent
		for _, line := range strings.Split(stream, "\n") {
			line = strings.TrimSuffix(line, "\r")
			if strings.TrimSpace(line) != "" {
				want = append(want, sseEvent{"", line})
			}
		}
		assert.Equal(t, want, whole)
	})
}

func TestMediaType(t *testing.T) {
	for ct, want := range map[string]string{
		"":                                 "",
		"text/event-stream":                "text/event-stream",
		"Text/Event-Stream; charset=utf-8": "text/event-stream",
		"application/x-ndjson":             "application/x-ndjson",
		"text/event-stream;;":              "text/event-stream",
	} {
		resp := &http.Response{Header: http.Header{}}
		if ct != "" {
			resp.Header.Set("Content-Type", ct)
		}
		assert.Equal(t, want, MediaType(resp), ct)
	}
}

// ndjsonWire is fakeWire streamed as newline-delimited JSON, the way
// Ollama streams: the provider says how its stream is framed, and the
// transport reads it so.
type ndjsonWire struct{ fakeWire }

func (ndjsonWire) Framing(_ Operation, resp *http.Response) Framing {
	if MediaType(resp) == "application/x-ndjson" {
		return NDJSON
	}
	return nil
}

func TestProviderChoosesItsFraming(t *testing.T) {
	t.Parallel()
	ctx, rec := langfusetest.New(t)
	stream := "{\"delta\":\"Hel\"}\n{\"delta\":\"lo\"}\n[END]\n"
	rt := New(answer(200, "application/x-ndjson", strings.NewReader(stream), nil), ndjsonWire{}, Config{})
	resp := call(t, ctx, rt, request)
	got, err := io.ReadAll(resp.Body)
	assert.NoError(t, err)
	assert.NoError(t, resp.Body.Close())
	assert.True(t, bytes.Equal([]byte(stream), got))
	g := llmtest.Find(t, rec, "fake.complete")
	assert.Equal(t, "Hello", g.Output)
	assert.Empty(t, g.Level, "[END] was read as an event")
}
