package capture

import (
	"bytes"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"

	json "github.com/goccy/go-json"
)

// Once the output is full, the encoder keeps walking only to count how much
// it leaves out, and gives up counting after an amount of work that grows
// with the limit, not with the value: a value of a gigabyte costs about
// what one just past the limit does. It counts countBytesPer bytes per
// byte of the limit (minCountBytes at least) and visits one value per
// countNodesPer bytes of the limit (minCountNodes at least).
const (
	countBytesPer = 4
	countNodesPer = 16
	minCountBytes = 16 << 10
	minCountNodes = 512
)

// maxPooledBuf bounds the buffer kept for reuse, so one huge value does not
// pin its memory for the life of the process; minPooledBuf is kept
// whatever the limit, so that calls with small limits still reuse one.
const (
	maxPooledBuf = 4 << 20
	minPooledBuf = 4 << 10
)

// maxPooledEntries does the same for the room to sort map entries in.
const maxPooledEntries = 1 << 12

// ref identifies a pointer, map or slice on the path from the root: the
// same address, length and type met again below itself is a cycle. The
// type tells a struct from its first field, which share an address.
type ref struct {
	p uintptr
	n int
	t reflect.Type
}

type kvAny struct {
	k string
	v any
}

type kvValue struct {
	k string
	t string // the key's own type, for keys of an interface type: orders equal texts
	v reflect.Value
}

// state is one encoding in progress. It is not safe for concurrent use;
// each call takes its own from statePool.
type state struct {
	buf   []byte // the output, never longer than limit
	limit int
	over  int  // bytes produced past limit: counted, not kept
	nodes int  // values visited past limit
	abort bool // counting stopped early: over is a lower bound

	countBytes int // over stops counting past this
	countNodes int // nodes stops counting past this

	maxDepth int
	depth    int // JSON objects and arrays open
	level    int // recursion below the root, pointers included
	maxLevel int
	path     []ref

	kvs     []kvAny   // map entries being sorted, shared by all levels
	rkvs    []kvValue // the same for maps walked by reflection
	keys    []string  // the same for maps of scalars, which do not nest
	compact bytes.Buffer

	names names // the lists of redacted and kept names

	jenc     *json.Encoder // writes into this state
	walkOnly bool          // never hand a value to go-json, for tests
}

var statePool = sync.Pool{New: func() any {
	s := new(state)
	s.jenc = json.NewEncoder(s)
	s.jenc.SetEscapeHTML(false)
	return s
}}

func newState(maxBytes, maxDepth int) *state {
	s := statePool.Get().(*state)
	s.limit = maxBytes
	s.maxDepth = maxDepth
	s.countBytes = max(minCountBytes, countBytesPer*min(maxBytes, maxPooledBuf))
	s.countNodes = max(minCountNodes, maxBytes/countNodesPer)
	// Pointers and interfaces do not count as depth, but they still
	// recurse; this bounds a chain of them, such as a long list of *any.
	s.maxLevel = 4*maxDepth + 64
	return s
}

func (s *state) release() {
	s.reset()
	statePool.Put(s)
}

// reset readies s for the next call. Map entries are cleared as each map
// is done, so the pool keeps none of the caller's values alive; only the
// room is kept, and only if it is modest and not far above the limit of
// the call that grew it.
func (s *state) reset() {
	s.kvs, s.rkvs, s.path = s.kvs[:0], s.rkvs[:0], s.path[:0]
	if cap(s.kvs) > maxPooledEntries {
		s.kvs = nil
	}
	if cap(s.rkvs) > maxPooledEntries {
		s.rkvs = nil
	}
	if cap(s.keys) > maxPooledEntries {
		s.keys = nil
	}
	s.over, s.nodes, s.abort, s.depth, s.level, s.walkOnly = 0, 0, false, 0, 0, false
	s.names = names{}
	keep := min(maxPooledBuf, max(minPooledBuf, 2*s.limit))
	if cap(s.buf) > keep {
		s.buf = nil
	} else {
		s.buf = s.buf[:0]
	}
	if s.compact.Cap() > keep {
		s.compact = bytes.Buffer{}
	}
	s.compact.Reset()
}

// result returns the output, cut with a marker if it did not fit.
func (s *state) result() string {
	b := s.buf
	if s.over == 0 && !utf8.Valid(b) {
		// Everything written is checked on the way in; this is a last
		// guard for the promise of valid UTF-8.
		b = appendValid(nil, unsafe.String(unsafe.SliceData(b), len(b)))
	}
	return cut(b, s.over, s.limit, s.abort, false)
}

// stopped reports whether walking should stop: only once the output is
// full and the budget for counting the rest is spent.
func (s *state) stopped() bool {
	if s.over == 0 {
		return false
	}
	s.nodes++
	if s.nodes > s.countNodes || s.over > s.countBytes {
		s.abort = true
	}
	return s.abort
}

// trim moves whatever lies past limit from buf to the count.
func (s *state) trim() {
	if len(s.buf) > s.limit {
		s.over += len(s.buf) - s.limit
		s.buf = s.buf[:s.limit]
	}
}

func (s *state) writeString(p string) {
	if len(s.buf)+len(p) <= s.limit {
		s.buf = append(s.buf, p...)
		return
	}
	if room := s.limit - len(s.buf); room > 0 {
		s.buf = append(s.buf, p[:room]...)
		p = p[room:]
	}
	s.over += len(p)
}

func (s *state) writeBytes(p []byte) {
	s.writeString(unsafe.String(unsafe.SliceData(p), len(p)))
}

func (s *state) writeByte(c byte) {
	if len(s.buf) < s.limit {
		s.buf = append(s.buf, c)
		return
	}
	s.over++
}

// Write receives go-json's output for a value handed to it, in one call.
func (s *state) Write(p []byte) (int, error) {
	n := len(p)
	if n > 0 && p[n-1] == '\n' { // json.Encoder ends every value with one
		p = p[:n-1]
	}
	s.writeBytes(p)
	return n, nil
}

// text writes x as a JSON string (quoted) or as plain text, with invalid
// UTF-8 replaced, keeping at most what fits and counting the rest.
func (s *state) text(x string, quoted bool) {
	expand := len(replacement) // the most one input byte can grow
	if quoted {
		expand = len(`\u0000`)
	}
	if room := s.limit - len(s.buf) - 2; room >= 0 && len(x) <= room/expand {
		if quoted {
			s.buf = append(s.buf, '"')
			s.buf = appendEscaped(s.buf, x)
			s.buf = append(s.buf, '"')
		} else {
			s.buf = appendValid(s.buf, x)
		}
		return
	}
	if quoted {
		s.writeByte('"')
	}
	// Escape in chunks that cannot overshoot much, cut on rune
	// boundaries, until the output is full.
	for len(x) > 0 && len(s.buf) < s.limit {
		n := runeCut(x, max((s.limit-len(s.buf))/expand, utf8.UTFMax))
		if quoted {
			s.buf = appendEscaped(s.buf, x[:n])
		} else {
			s.buf = appendValid(s.buf, x[:n])
		}
		x = x[n:]
		s.trim()
	}
	if len(x) > 0 {
		switch {
		case s.over+len(x) > s.countBytes:
			s.over += len(x) // a lower bound: text only grows when escaped
			s.abort = true
		case quoted:
			s.over += escapedLen(x)
		default:
			s.over += validLen(x)
		}
	}
	if quoted {
		s.writeByte('"')
	}
}

// small is the room that any number or literal fits in.
const small = 32

func (s *state) int64(i int64) {
	if s.limit-len(s.buf) >= small {
		s.buf = strconv.AppendInt(s.buf, i, 10)
		return
	}
	var a [small]byte
	s.writeBytes(strconv.AppendInt(a[:0], i, 10))
}

func (s *state) uint64(u uint64) {
	if s.limit-len(s.buf) >= small {
		s.buf = strconv.AppendUint(s.buf, u, 10)
		return
	}
	var a [small]byte
	s.writeBytes(strconv.AppendUint(a[:0], u, 10))
}

func (s *state) float(f float64, bits int) {
	if s.limit-len(s.buf) >= small {
		s.buf = appendFloat(s.buf, f, bits)
		return
	}
	var a [small]byte
	s.writeBytes(appendFloat(a[:0], f, bits))
}

func (s *state) bool(b bool) {
	if b {
		s.writeString("true")
	} else {
		s.writeString("false")
	}
}

// open starts a JSON object or array, or writes the depth placeholder
// and returns false if that would go deeper than allowed.
func (s *state) open(c byte) bool {
	if s.depth >= s.maxDepth {
		s.writeString(`"<max depth ` + strconv.Itoa(s.maxDepth) + `>"`)
		return false
	}
	s.depth++
	s.writeByte(c)
	return true
}

func (s *state) close(c byte) {
	s.depth--
	s.writeByte(c)
}

// push enters a pointer, map or slice, or writes a placeholder and returns
// false if it is already on the path (a cycle) or the path is too long.
// Only the current path counts: the same pointer met twice side by side
// is shared data, not a cycle, and is written twice.
func (s *state) push(r ref, cycle string) bool {
	if s.level >= s.maxLevel {
		s.writeString(`"<max depth ` + strconv.Itoa(s.maxDepth) + `>"`)
		return false
	}
	for i := range s.path {
		if s.path[i] == r {
			s.writeString(cycle)
			return false
		}
	}
	s.path = append(s.path, r)
	s.level++
	return true
}

func (s *state) pop() {
	s.path = s.path[:len(s.path)-1]
	s.level--
}
