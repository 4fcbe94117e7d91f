package llmhttp

import (
	"encoding/binary"
	"hash/crc32"
)

// AWSEventStream frames AWS event-stream messages
// (application/vnd.amazon.eventstream, Amazon Bedrock's streamed answers):
// each message is a prelude (total length, headers length, CRC32 of the
// two), headers, a payload and a CRC32 of all that went before, all
// lengths big-endian. An event is named after its headers:
//
//	:message-type event      the :event-type, such as "contentBlockDelta"
//	:message-type exception  "exception:" and the :exception-type, such as "exception:throttlingException"
//	:message-type error      "error:" and the :error-code; its data the :error-message
//
// and its data is the payload. A message whose CRC does not match, or
// whose headers do not parse, is passed over and counted; one longer than
// maxEvent is passed over unread and counted. A prelude whose CRC does not
// match leaves no way to find the next message: the rest of the stream is
// passed over, counted as one.
func AWSEventStream(emit func(event string, data []byte)) Framer {
	return &eventStreamReader{onEvent: emit}
}

// Names of the event-stream message types that AWSEventStream gives
// events of their own.
const (
	EventStreamException = "exception:"
	EventStreamError     = "error:"
)

const (
	esPrelude = 12 // total length, headers length, prelude CRC
	esMinimum = esPrelude + 4
)

// eventStreamReader splits AWS event-stream messages as the bytes arrive.
type eventStreamReader struct {
	onEvent func(event string, data []byte)
	buf     []byte   // the current message so far (its prelude, then all of it)
	total   int      // the current message's length, once its prelude is read
	skip    int      // bytes still to pass over of a message too long to parse
	broken  bool     // a prelude failed its CRC: the rest is passed over
	skipped int      // messages passed over
	names   []string // event names seen, handed out again without a copy
}

func (r *eventStreamReader) Write(p []byte) {
	for len(p) > 0 && !r.broken {
		if r.skip > 0 {
			n := min(r.skip, len(p))
			r.skip -= n
			p = p[n:]
			continue
		}
		if r.total == 0 {
			n := min(esPrelude-len(r.buf), len(p))
			r.buf = append(r.buf, p[:n]...)
			p = p[n:]
			if len(r.buf) < esPrelude {
				return
			}
			if !r.prelude() {
				return
			}
			continue
		}
		n := min(r.total-len(r.buf), len(p))
		r.buf = append(r.buf, p[:n]...)
		p = p[n:]
		if len(r.buf) == r.total {
			r.message()
			r.buf, r.total = r.buf[:0], 0
		}
	}
}

// prelude checks the prelude in r.buf and sets up the reading of its
// message; false when the stream is broken.
func (r *eventStreamReader) prelude() bool {
	total := binary.BigEndian.Uint32(r.buf[0:4])
	headers := binary.BigEndian.Uint32(r.buf[4:8])
	if crc32.ChecksumIEEE(r.buf[0:8]) != binary.BigEndian.Uint32(r.buf[8:12]) ||
		total < esMinimum || uint64(headers) > uint64(total)-esMinimum {
		r.broken = true
		r.skipped++
		r.buf = r.buf[:0]
		return false
	}
	if uint64(total) > maxEvent {
		r.skip = int(total) - esPrelude
		r.skipped++
		r.buf = r.buf[:0]
		return true
	}
	r.total = int(total)
	return true
}

// message hands on the whole message in r.buf, or counts it as skipped.
func (r *eventStreamReader) message() {
	m := r.buf
	end := len(m) - 4
	if crc32.ChecksumIEEE(m[:end]) != binary.BigEndian.Uint32(m[end:]) {
		r.skipped++
		return
	}
	hlen := int(binary.BigEndian.Uint32(m[4:8]))
	h, ok := parseHeaders(m[esPrelude : esPrelude+hlen])
	if !ok {
		r.skipped++
		return
	}
	payload := m[esPrelude+hlen : end]
	switch string(h.messageType) {
	case "event":
		r.onEvent(r.eventName("", h.eventType), payload)
	case "exception":
		r.onEvent(r.eventName(EventStreamException, h.exceptionType), payload)
	case "error":
		r.onEvent(r.eventName(EventStreamError, h.errorCode), h.errorMessage)
	default:
		r.skipped++
	}
}

// eventName returns prefix+v as a string, the one handed out before when
// it was seen before.
func (r *eventStreamReader) eventName(prefix string, v []byte) string {
	for _, n := range r.names {
		if len(n) == len(prefix)+len(v) && n[:len(prefix)] == prefix && n[len(prefix):] == string(v) {
			return n
		}
	}
	n := prefix + string(v)
	if len(r.names) < maxNames {
		r.names = append(r.names, n)
	}
	return n
}

// esHeaders are the headers of a message that name its event.
type esHeaders struct {
	messageType, eventType, exceptionType, errorCode, errorMessage []byte
}

// parseHeaders reads a message's headers; false when they do not parse.
// String values are kept as slices of b.
func parseHeaders(b []byte) (h esHeaders, ok bool) {
	for len(b) > 0 {
		nl := int(b[0])
		if len(b) < 1+nl+1 {
			return h, false
		}
		name := b[1 : 1+nl]
		typ := b[1+nl]
		b = b[2+nl:]
		var size int
		switch typ {
		case 0, 1: // bool true, bool false
			size = 0
		case 2: // byte
			size = 1
		case 3: // short
			size = 2
		case 4: // int
			size = 4
		case 5, 8: // long, timestamp
			size = 8
		case 9: // uuid
			size = 16
		case 6, 7: // bytes, string: a 2-byte length, then the value
			if len(b) < 2 {
				return h, false
			}
			size = int(binary.BigEndian.Uint16(b))
			b = b[2:]
		default:
			return h, false
		}
		if len(b) < size {
			return h, false
		}
		v := b[:size]
		b = b[size:]
		if typ != 7 {
			continue
		}
		switch string(name) {
		case ":message-type":
			h.messageType = v
		case ":event-type":
			h.eventType = v
		case ":exception-type":
			h.exceptionType = v
		case ":error-code":
			h.errorCode = v
		case ":error-message":
			h.errorMessage = v
		}
	}
	return h, true
}

// End drops a message that the stream's last bytes left unfinished.
func (r *eventStreamReader) End() {
	if len(r.buf) > 0 {
		r.skipped++
	}
	r.buf, r.total, r.skip = r.buf[:0], 0, 0
}

// Skipped is how many messages were passed over: too long, corrupt, cut
// by the stream's end, or (once) all after a broken prelude.
func (r *eventStreamReader) Skipped() int { return r.skipped }
