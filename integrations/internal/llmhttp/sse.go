package llmhttp

import "bytes"

// sseReader splits a server-sent event stream into events as its bytes
// arrive, after the WHATWG rules: lines end in "\n", "\r\n" or "\r"; a
// blank line ends an event; "data:" lines are joined with "\n"; comments
// (":") and other fields are ignored; one space after the colon is
// dropped. An event longer than maxEvent is skipped and counted.
type sseReader struct {
	onEvent func(event string, data []byte)
	line    []byte // the current line so far, without its end
	lineLen int    // bytes of the current line, also when they were not kept
	crSeen  bool   // the last byte was "\r": a "\n" right after it ends no new line
	event   string
	data    []byte
	hasData bool
	size    int      // bytes of the current event so far
	skip    bool     // the current event is too long to parse
	skipped int      // events skipped for their length
	names   []string // event names seen, handed out again without a copy
}

// maxNames is how many distinct event names are kept for reuse: a wire's
// few, not what a hostile stream could make up.
const maxNames = 16

// eventName returns v as a string, the one handed out before when v was
// seen before, so that a stream's every event does not allocate its name.
func (s *sseReader) eventName(v []byte) string {
	for _, n := range s.names {
		if string(v) == n {
			return n
		}
	}
	n := string(v)
	if len(s.names) < maxNames {
		s.names = append(s.names, n)
	}
	return n
}

// Write takes the next bytes of the stream.
func (s *sseReader) Write(p []byte) {
	for len(p) > 0 {
		if s.crSeen {
			s.crSeen = false
			if p[0] == '\n' {
				p = p[1:]
				continue
			}
		}
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			s.addToLine(p)
			return
		}
		s.addToLine(p[:i])
		s.crSeen = p[i] == '\r'
		p = p[i+1:]
		s.endLine()
	}
}

func (s *sseReader) addToLine(p []byte) {
	s.lineLen += len(p)
	s.size += len(p)
	if s.size > maxEvent {
		s.skip, s.line, s.data = true, s.line[:0], s.data[:0]
	}
	if !s.skip {
		s.line = append(s.line, p...)
	}
}

func (s *sseReader) endLine() {
	blank := s.lineLen == 0
	line := s.line
	s.line, s.lineLen = s.line[:0], 0
	switch {
	case blank && s.skip:
		s.skipped++
		s.reset()
		return
	case blank:
		if s.hasData {
			s.onEvent(s.event, s.data)
		}
		s.reset()
		return
	case s.skip || line[0] == ':':
		return
	}
	s.size++ // the line end
	field, value, found := bytes.Cut(line, []byte(":"))
	if found && len(value) > 0 && value[0] == ' ' {
		value = value[1:]
	}
	switch string(field) {
	case "event":
		s.event = s.eventName(value)
	case "data":
		if s.hasData {
			s.data = append(s.data, '\n')
		}
		s.data = append(s.data, value...)
		s.hasData = true
	}
}

func (s *sseReader) reset() {
	s.event, s.data, s.hasData, s.size, s.skip = "", s.data[:0], false, 0, false
}

// Skipped is how many events were skipped for their length.
func (s *sseReader) Skipped() int { return s.skipped }

// End is called at EOF. An event whose lines all ended but that no blank
// line closed is taken as whole; a line cut by EOF is dropped, as the
// WHATWG rules drop an unfinished event.
func (s *sseReader) End() {
	if s.lineLen == 0 && s.hasData && !s.skip {
		s.onEvent(s.event, s.data)
		s.reset()
	}
}
