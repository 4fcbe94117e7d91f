package llmhttp

import "bytes"

// ndjsonReader splits newline-delimited JSON into its lines as the bytes
// arrive. A line longer than maxEvent is skipped and counted.
type ndjsonReader struct {
	onEvent func(event string, data []byte)
	line    []byte // the current line so far, without its end
	size    int    // bytes of the current line, also when they were not kept
	skip    bool   // the current line is too long to parse
	skipped int    // lines skipped for their length
}

func (r *ndjsonReader) Write(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			r.add(p)
			return
		}
		r.add(p[:i])
		p = p[i+1:]
		r.endLine()
	}
}

func (r *ndjsonReader) add(p []byte) {
	r.size += len(p)
	if r.size > maxEvent {
		r.skip, r.line = true, r.line[:0]
	}
	if !r.skip {
		r.line = append(r.line, p...)
	}
}

func (r *ndjsonReader) endLine() {
	switch {
	case r.skip:
		r.skipped++
	default:
		line := bytes.TrimSuffix(r.line, []byte("\r"))
		if len(bytes.TrimSpace(line)) > 0 {
			r.onEvent("", line)
		}
	}
	r.line, r.size, r.skip = r.line[:0], 0, false
}

// End takes a last line that no line end closed: newline-delimited JSON
// may end without one, and a clean EOF says the line is whole.
func (r *ndjsonReader) End() {
	if r.size > 0 {
		r.endLine()
	}
}

func (r *ndjsonReader) Skipped() int { return r.skipped }
