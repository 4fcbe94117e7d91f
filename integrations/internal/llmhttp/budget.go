package llmhttp

import (
	"os"
	"strconv"
	"unicode/utf8"
)

// Bounds of what a stream keeps for the record.
const (
	// DefaultKeep is how many bytes of a streamed answer are kept for the
	// record when LANGFUSE_CAPTURE_MAX_BYTES does not say: the client's
	// default capture cap, past which nothing of an output is recorded.
	DefaultKeep = 1 << 20
	// maxKeep is the largest capture cap a client takes (64 MiB).
	maxKeep = 1 << 26
	// envCaptureMaxBytes is the client's capture cap.
	envCaptureMaxBytes = "LANGFUSE_CAPTURE_MAX_BYTES"
)

// KeepFromEnv is the capture cap LANGFUSE_CAPTURE_MAX_BYTES sets, the
// client's own, or DefaultKeep when it is unset or not a size the client
// takes.
func KeepFromEnv() int {
	n, err := strconv.Atoi(os.Getenv(envCaptureMaxBytes))
	if err != nil || n < 1 || n > maxKeep {
		return DefaultKeep
	}
	return n
}

// Budget is how much of a streamed answer a Stream keeps: the text,
// arguments and parts it accumulates come out of one budget of as many
// bytes as the client records of an output (its capture cap), so that a
// stream far longer than what is recorded holds no more than what is.
// Once something did not fit, the budget is spent: nothing more is kept,
// so that the record is the answer's start with no holes in it, and the
// stream may skip reading what it would not keep (Spent).
//
// A nil *Budget keeps everything. A Budget is used by one goroutine at a
// time.
type Budget struct {
	limit, left int
	spent       bool
	creds       *credentials
}

// NewBudget returns a budget of limit bytes (at least 1) whose Text takes
// no secrets out; the transport makes budgets that do.
func NewBudget(limit int) *Budget { return newBudget(limit, nil) }

func newBudget(limit int, c *credentials) *Budget {
	limit = max(limit, 1)
	return &Budget{limit: limit, left: limit, creds: c}
}

// Append appends to dst as much of s as the budget has room for, cut
// where a UTF-8 character starts, and returns the extended slice.
func (b *Budget) Append(dst []byte, s string) []byte {
	if b == nil {
		return append(dst, s...)
	}
	if len(s) == 0 || b.spent {
		return dst
	}
	if len(s) > b.left {
		s = s[:utf8Start(s, b.left)]
		b.spent = true
	}
	b.left -= len(s)
	return append(dst, s...)
}

// utf8Start returns the largest n <= limit at which a UTF-8 character of
// s starts (or s ends).
func utf8Start(s string, limit int) int {
	n := limit
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// Take reports whether n bytes of something kept whole (a raw part, a
// new choice or block with its bookkeeping) fit in the budget, and counts
// them when they do. When they do not, the budget is spent.
func (b *Budget) Take(n int) bool {
	if b == nil {
		return true
	}
	if b.spent || n > b.left {
		b.spent = true
		return false
	}
	b.left -= n
	return true
}

// Spent reports that something did not fit: the stream keeps nothing
// more, and needs to read only what ends the answer or counts it (a
// finish reason, the usage, an error).
func (b *Budget) Spent() bool { return b != nil && b.spent }

// Limit is the budget's size in bytes; 0 for a nil budget.
func (b *Budget) Limit() int {
	if b == nil {
		return 0
	}
	return b.limit
}

// Text is accumulated text as it is recorded: the request's secrets taken
// out of the whole of it, so that a key sent in pieces over several
// events is found too, and, when the budget cut the text, a piece of a
// secret that the cut left at its end.
func (b *Budget) Text(p []byte) string {
	if b == nil || b.creds == nil {
		return string(p)
	}
	p = b.creds.redactBytes(p)
	if b.spent {
		p = b.creds.trimCut(p)
	}
	return string(p)
}
