package llmhttp

import (
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// esHeader is one string header of an event-stream message.
type esHeader struct{ name, value string }

// esMessage encodes an event-stream message with string headers.
func esMessage(payload string, headers ...esHeader) string {
	var h []byte
	for _, x := range headers {
		h = append(h, byte(len(x.name)))
		h = append(h, x.name...)
		h = append(h, 7)
		h = binary.BigEndian.AppendUint16(h, uint16(len(x.value)))
		h = append(h, x.value...)
	}
	total := esMinimum + len(h) + len(payload)
	m := binary.BigEndian.AppendUint32(nil, uint32(total))
	m = binary.BigEndian.AppendUint32(m, uint32(len(h)))
	m = binary.BigEndian.AppendUint32(m, crc32.ChecksumIEEE(m))
	m = append(m, h...)
	m = append(m, payload...)
	return string(binary.BigEndian.AppendUint32(m, crc32.ChecksumIEEE(m)))
}

func esEvent(eventType, payload string) string {
	return esMessage(payload, esHeader{":message-type", "event"}, esHeader{":event-type", eventType},
		esHeader{":content-type", "application/json"})
}

func TestAWSEventStream(t *testing.T) {
	a := esEvent("messageStart", `{"role":"assistant"}`)
	b := esEvent("contentBlockDelta", `{"delta":{"text":"Hi"},"contentBlockIndex":0}`)
	exc := esMessage(`{"message":"Too many tokens"}`, esHeader{":message-type", "exception"},
		esHeader{":exception-type", "throttlingException"})
	errMsg := esMessage("", esHeader{":message-type", "error"}, esHeader{":error-code", "InternalFailure"},
		esHeader{":error-message", "try again"})
	// A message with headers of every other type, which are passed over.
	var typed []byte
	for _, x := range []struct {
		typ  byte
		size int
	}{{0, 0}, {1, 0}, {2, 1}, {3, 2}, {4, 4}, {5, 8}, {8, 8}, {9, 16}} {
		typed = append(typed, 1, 'x', x.typ)
		typed = append(typed, make([]byte, x.size)...)
	}
	typed = append(typed, 1, 'y', 6, 0, 2, 'a', 'b')
	mixed := esEvent("metadata", `{}`)
	// Insert the typed headers before the others: rebuild by hand.
	mixed = rebuild(string(typed), mixed)

	for _, tc := range []struct {
		name    string
		chunks  []string
		want    []sseEvent
		skipped int
	}{
		{"events", []string{a + b}, []sseEvent{{"messageStart", `{"role":"assistant"}`}, {"contentBlockDelta", `{"delta":{"text":"Hi"},"contentBlockIndex":0}`}}, 0},
		{"split anywhere", []string{a[:3], a[3:20], a[20:] + b[:1], b[1:]}, []sseEvent{{"messageStart", `{"role":"assistant"}`}, {"contentBlockDelta", `{"delta":{"text":"Hi"},"contentBlockIndex":0}`}}, 0},
		{"exception", []string{exc}, []sseEvent{{"exception:throttlingException", `{"message":"Too many tokens"}`}}, 0},
		{"error", []string{errMsg}, []sseEvent{{"error:InternalFailure", "try again"}}, 0},
		{"headers of every type", []string{mixed}, []sseEvent{{"metadata", `{}`}}, 0},
		{"message CRC wrong", []string{corrupt(a, len(a)-1) + b}, []sseEvent{{"contentBlockDelta", `{"delta":{"text":"Hi"},"contentBlockIndex":0}`}}, 1},
		{"prelude CRC wrong: the rest is lost", []string{corrupt(a, 9) + b}, nil, 1},
		{"cut by the end", []string{a + b[:len(b)-1]}, []sseEvent{{"messageStart", `{"role":"assistant"}`}}, 1},
		{"unknown message type", []string{esMessage("{}", esHeader{":message-type", "ping"}) + a}, []sseEvent{{"messageStart", `{"role":"assistant"}`}}, 1},
		{"headers that do not parse", []string{rebuild("\x05:abc", a) + a}, []sseEvent{{"messageStart", `{"role":"assistant"}`}}, 1},
		{"empty", nil, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, skipped := frame(AWSEventStream, tc.chunks...)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.skipped, skipped)
		})
	}
}

// corrupt flips byte i of m.
func corrupt(m string, i int) string {
	b := []byte(m)
	b[i] ^= 0xff
	return string(b)
}

// rebuild returns message m with extra put before its headers, its
// lengths and CRCs made right again.
func rebuild(extra, m string) string {
	hlen := int(binary.BigEndian.Uint32([]byte(m[4:8])))
	h := extra + m[esPrelude:esPrelude+hlen]
	payload := m[esPrelude+hlen : len(m)-4]
	total := esMinimum + len(h) + len(payload)
	b := binary.BigEndian.AppendUint32(nil, uint32(total))
	b = binary.BigEndian.AppendUint32(b, uint32(len(h)))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	b = append(b, h...)
	b = append(b, payload...)
	return string(binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b)))
}

func TestAWSEventStreamSkipsAMessageTooLongToParse(t *testing.T) {
	a := esEvent("messageStart", "{}")
	long := esEvent("contentBlockDelta", strings.Repeat("x", maxEvent))
	got, skipped := frame(AWSEventStream, a, long[:maxEvent/2], long[maxEvent/2:], a)
	assert.Equal(t, []sseEvent{{"messageStart", "{}"}, {"messageStart", "{}"}}, got)
	assert.Equal(t, 1, skipped)
}

func TestAWSEventStreamLengthsOutOfBounds(t *testing.T) {
	for name, prelude := range map[string][2]uint32{
		"shorter than a message":            {15, 0},
		"headers longer than the message":   {32, 17},
		"headers length near 2^32":          {32, 0xffffffff},
		"total near 2^32, read as too long": {0xffffffff, 0},
	} {
		t.Run(name, func(t *testing.T) {
			p := binary.BigEndian.AppendUint32(nil, prelude[0])
			p = binary.BigEndian.AppendUint32(p, prelude[1])
			p = binary.BigEndian.AppendUint32(p, crc32.ChecksumIEEE(p))
			got, skipped := frame(AWSEventStream, string(p)+esEvent("a", "{}"))
			if prelude[0] == 0xffffffff {
				assert.Empty(t, got, "the next message is within the skipped bytes")
			} else {
				assert.Empty(t, got, "no way to find the next message")
			}
			assert.Equal(t, 1, skipped)
		})
	}
}

// FuzzAWSEventStream: a stream gives the same events however its bytes
// arrive, and a stream of well-formed messages gives each of them back.
func FuzzAWSEventStream(f *testing.F) {
	f.Add(esEvent("messageStart", `{"role":"assistant"}`)+esEvent("messageStop", `{}`), "contentBlockDelta", `{"x":1}`, 7)
	f.Add(esMessage("x", esHeader{":message-type", "exception"}, esHeader{":exception-type", "validationException"}), "", "", 13)
	f.Add("\x00\x00\x00\x10\x00\x00\x00\x00", "metadata", "", 0)
	f.Fuzz(func(t *testing.T, stream, eventType, payload string, cut int) {
		if cut < 0 {
			cut = -cut
		}
		whole, wholeSkipped := frame(AWSEventStream, stream)
		cut %= len(stream) + 1
		split, splitSkipped := frame(AWSEventStream, stream[:cut], stream[cut:])
		assert.Equal(t, whole, split, "split at %d", cut)
		assert.Equal(t, wholeSkipped, splitSkipped, "split at %d", cut)

		if len(eventType) > 0xffff || len(payload) > maxEvent/2 {
			return
		}
		m := esEvent(eventType, payload)
		got, skipped := frame(AWSEventStream, m[:cut%(len(m)+1)], m[cut%(len(m)+1):]+m)
		assert.Equal(t, []sseEvent{{eventType, payload}, {eventType, payload}}, got)
		assert.Zero(t, skipped)
	})
}
