package llmhttp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
)

type sseEvent struct{ event, data string }

func readEvents(chunks ...string) (events []sseEvent, skipped int) {
	var s sseReader
	s.onEvent = func(event string, data []byte) {
		events = append(events, sseEvent{event, string(data)})
	}
	for _, c := range chunks {
		s.Write([]byte(c))
	}
	s.End()
	return events, s.skipped
}

func TestSSEReader(t *testing.T) {
	for _, tc := range []struct {
		name   string
		chunks []string
		want   []sseEvent
	}{
		{"one event", []string{"data: {\"a\":1}\n\n"}, []sseEvent{{"", `{"a":1}`}}},
		{"named events", []string{"event: ping\ndata: {}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"},
			[]sseEvent{{"ping", "{}"}, {"message_stop", `{"type":"message_stop"}`}}},
		{"split anywhere", []string{"da", "ta: he", "llo\n", "\nda", "ta: [DONE]\n", "\n"},
			[]sseEvent{{"", "hello"}, {"", "[DONE]"}}},
		{"CRLF line ends, split between CR and LF", []string{"data: a\r", "\n\r", "\ndata: b\r\n\r\n"},
			[]sseEvent{{"", "a"}, {"", "b"}}},
		{"CR alone ends a line", []string{"data: a\r\rdata: b\r\r"}, []sseEvent{{"", "a"}, {"", "b"}}},
		{"data lines joined", []string{"data: a\ndata: b\n\n"}, []sseEvent{{"", "a\nb"}}},
		{"no space after colon", []string{"data:x\n\n"}, []sseEvent{{"", "x"}}},
		{"only the first space is dropped", []string{"data:  x\n\n"}, []sseEvent{{"", " x"}}},
		{"comments and unknown fields ignored", []string{": keep-alive\nid: 7\nretry: 10\ndata: x\n\n"}, []sseEvent{{"", "x"}}},
		{"event without data is not dispatched", []string{"event: ping\n\ndata: x\n\n"}, []sseEvent{{"", "x"}}},
		{"event name does not leak into the next event", []string{"event: a\ndata: 1\n\ndata: 2\n\n"},
			[]sseEvent{{"a", "1"}, {"", "2"}}},
		{"last event without blank line is taken at EOF", []string{"data: x\n\ndata: last\n"},
			[]sseEvent{{"", "x"}, {"", "last"}}},
		{"a line cut by EOF is dropped", []string{"data: x\n\ndata: cut"}, []sseEvent{{"", "x"}}},
		{"empty stream", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, skipped := readEvents(tc.chunks...)
			assert.Equal(t, tc.want, got)
			assert.Zero(t, skipped)
		})
	}
}

func TestSSEReaderSkipsAnEventTooLongToParse(t *testing.T) {
	long := strings.Repeat("x", maxEvent+10)
	got, skipped := readEvents("data: a\n\n", "data: "+long[:maxEvent/2], long[maxEvent/2:]+"\n\n", "data: b\n\n")
	assert.Equal(t, []sseEvent{{"", "a"}, {"", "b"}}, got)
	assert.Equal(t, 1, skipped)
}

func FuzzSSEReader(f *testing.F) {
	f.Add("data: a\r\n\r\nevent: x\ndata: b\n\n", 3)
	f.Add(": c\rdata:\n\n", 1)
	f.Fuzz(func(t *testing.T, stream string, cut int) {
		whole, _ := readEvents(stream)
		if cut < 0 {
			cut = -cut
		}
		cut %= len(stream) + 1
		split, _ := readEvents(stream[:cut], stream[cut:])
		if len(whole) != len(split) {
			t.Fatalf("the same stream split at %d gave %d events, whole %d", cut, len(split), len(whole))
		}
		for i := range whole {
			if whole[i] != split[i] {
				t.Fatalf("event %d: whole %+v, split at %d %+v", i, whole[i], cut, split[i])
			}
		}
	})
}

// A stream's every event does not allocate its name.
func TestSSEEventNamesReused(t *testing.T) {
	if llmtest.RaceEnabled {
		t.Skip("allocations are counted without the race detector")
	}
	var s sseReader
	s.onEvent = func(string, []byte) {}
	chunk := []byte("event: content_block_delta\ndata: {}\n\n")
	s.Write(chunk)
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.Write(chunk) }))
}
