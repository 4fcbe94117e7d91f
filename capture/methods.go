package capture

import (
	"encoding"
	stdjson "encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	json "github.com/goccy/go-json"
)

// maxPanicText bounds the part of a panic or error message that goes into
// a placeholder.
const maxPanicText = 256

// methods writes v through the method that encoding/json would use for it,
// with time.Time and error added, and reports false if there is none.
func (s *state) methods(v reflect.Value, ti *typeInfo) bool {
	if !v.CanInterface() {
		if ti.redacts {
			// Reached through an unexported embedded field: what the
			// value would say of itself cannot be asked, and its fields
			// may be what it hides.
			s.writeString(`"<` + escapeString(ti.typ.String()) + `>"`)
			return true
		}
		return false
	}
	if v.Kind() == reflect.Pointer && v.IsNil() && (ti.marshalJSON || ti.marshalText) && !ti.isError {
		// A nil pointer is null, whatever its methods would say, as in
		// encoding/json.
		return false
	}
	switch {
	case ti.special != notSpecial:
		s.special(v, ti)
	case ti.logValuer:
		s.logValue(v.Interface().(slog.LogValuer))
	case ti.isTime:
		if v.CanAddr() {
			s.time(*v.Addr().Interface().(*time.Time))
		} else {
			s.time(v.Interface().(time.Time))
		}
	case ti.marshalJSONAddr && v.CanAddr():
		s.marshalJSON(v.Addr().Interface().(json.Marshaler))
	case ti.marshalJSON:
		s.marshalJSON(v.Interface().(json.Marshaler))
	case ti.marshalTextAddr && v.CanAddr():
		s.marshalText(v.Addr().Interface().(encoding.TextMarshaler))
	case ti.marshalText:
		s.marshalText(v.Interface().(encoding.TextMarshaler))
	case ti.isErrorAddr && v.CanAddr():
		s.errorText(v.Addr().Interface().(error))
	case ti.isError:
		s.errorText(v.Interface().(error))
	default:
		return false
	}
	return true
}

func (s *state) time(t time.Time) {
	var a [64]byte
	s.writeBytes(appendTime(a[:0], t))
}

// appendTime appends t as a JSON string in RFC 3339 with nanoseconds. It
// does not use Time.MarshalJSON, which fails outside the years 0 to 9999.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// marshalJSON writes what m's MarshalJSON returns, compacted. The method
// may return any amount, which cannot be bounded before it returns; what
// is done with it after is. Output that fits is checked and compacted
// whole, so that invalid JSON becomes a placeholder. Output longer than
// the room left is cut anyway, so only what fits is compacted and the rest
// is counted within the budget, without a copy (see compactLong).
func (s *state) marshalJSON(m json.Marshaler) {
	b, err := callMarshalJSON(m)
	if err != nil {
		s.problem("MarshalJSON", err)
		return
	}
	if len(b) > s.limit-len(s.buf) {
		s.compactLong(b)
		return
	}
	s.compact.Reset()
	if err := stdjson.Compact(&s.compact, b); err != nil {
		s.text(invalidJSON, true)
		return
	}
	out := s.compact.Bytes()
	if !utf8.Valid(out) {
		// Compact checks the syntax only; a string in it may still
		// hold bytes that are not UTF-8.
		s.text(unsafe.String(unsafe.SliceData(out), len(out)), false)
		return
	}
	s.writeBytes(out)
}

func (s *state) marshalText(m encoding.TextMarshaler) {
	b, err := callMarshalText(m)
	if err != nil {
		s.problem("MarshalText", err)
		return
	}
	s.text(unsafe.String(unsafe.SliceData(b), len(b)), true)
}

func (s *state) errorText(e error) {
	msg, err := callError(e)
	if err != nil {
		s.problem("Error", err)
		return
	}
	s.text(msg, true)
}

// problem writes the placeholder for a method that panicked or failed.
func (s *state) problem(method string, err error) {
	s.text(problemText(method, err), true)
}

func problemText(method string, err error) string {
	// Only this package makes a *panicked and it never wraps one; errors.As
	// would call the user's Unwrap and As methods outside any recover.
	if p, ok := err.(*panicked); ok { //nolint:errorlint // see above
		return "<panic in " + method + ": " + p.msg + ">"
	}
	msg, perr := callError(err)
	if perr != nil {
		msg = "unprintable error"
	}
	return "<error in " + method + ": " + clip(msg) + ">"
}

// panicked is a panic caught in a user's method, carried as an error.
type panicked struct{ msg string }

func (p *panicked) Error() string { return p.msg }

// catch is deferred by the call functions below: it turns a panic in the
// user's method into *panicked, because one bad value must not take down
// the program that is only trying to trace it.
func catch(err *error) {
	if r := recover(); r != nil {
		*err = &panicked{msg: panicText(r)}
	}
}

func callMarshalJSON(m json.Marshaler) (b []byte, err error) {
	defer catch(&err)
	return m.MarshalJSON()
}

func callMarshalText(m encoding.TextMarshaler) (b []byte, err error) {
	defer catch(&err)
	return m.MarshalText()
}

func callError(e error) (msg string, err error) {
	defer catch(&err)
	return e.Error(), nil
}

func callString(x fmt.Stringer) (msg string, err error) {
	defer catch(&err)
	return x.String(), nil
}

func callIsZero(x interface{ IsZero() bool }) (zero, ok bool) {
	var err error
	func() {
		defer catch(&err)
		zero = x.IsZero()
	}()
	return zero, err == nil
}

// panicText describes a recovered panic value without calling anything
// that could panic again or recurse without end (fmt would do both on a
// self-referencing value).
func panicText(r any) string {
	switch x := r.(type) {
	case string:
		return clip(x)
	case error:
		if msg, err := callErrorNoCatch(x); err == nil {
			return clip(msg)
		}
	case fmt.Stringer:
		if msg, err := callStringNoCatch(x); err == nil {
			return clip(msg)
		}
	}
	v := reflect.ValueOf(r)
	switch v.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return fmt.Sprintf("%T value", r)
}

// callErrorNoCatch and callStringNoCatch call the method of a panic value,
// recovering a second panic themselves: catch cannot be used while its own
// panicText is running.
func callErrorNoCatch(e error) (msg string, err error) {
	defer func() {
		if recover() != nil {
			err = errPanicAgain
		}
	}()
	return e.Error(), nil
}

func callStringNoCatch(x fmt.Stringer) (msg string, err error) {
	defer func() {
		if recover() != nil {
			err = errPanicAgain
		}
	}()
	return x.String(), nil
}

var errPanicAgain = &panicked{msg: "panic while describing a panic"}

// clip cuts s to maxPanicText bytes on a rune boundary.
func clip(s string) string {
	if len(s) <= maxPanicText {
		return s
	}
	return s[:runeCut(s, maxPanicText)] + "..."
}

// invalidJSON is the placeholder for a MarshalJSON result that is not
// JSON.
const invalidJSON = "<error in MarshalJSON: invalid JSON>"

// compactLong writes as much of b, the JSON text of a MarshalJSON longer
// than the room left, as fits, without the spaces between tokens and with
// invalid UTF-8 replaced, and counts the rest within the budget. Nothing
// past the output is copied: a method that returns a gigabyte costs its
// gigabyte, not two.
//
// A b read to its end within the budget is checked to be JSON, as a short
// one is, and if it is not, what was written of it is taken back and the
// placeholder written instead: the output and its count are then those of
// the value written whole. A b longer than that is not checked past what
// is kept: the count stops early, and the marker says "more than".
func (s *state) compactLong(b []byte) {
	var c compactor
	start, over := len(s.buf), s.over
	i := 0
	for i < len(b) && len(s.buf) < s.limit {
		n, keep := c.next(b[i:])
		if keep {
			s.writeBytes(b[i : i+n])
		} else if n == 1 && b[i] >= utf8.RuneSelf {
			s.writeString(replacement)
		}
		i += n
	}
	rest := b[i:]
	if budget := max(0, s.countBytes-s.over); len(rest) > budget {
		// Count what the budget allows, unchecked: a lower bound.
		rest = rest[:budget]
		s.abort = true
	} else if !stdjson.Valid(b) {
		s.buf, s.over = s.buf[:start], over
		s.text(invalidJSON, true)
		return
	}
	for i := 0; i < len(rest); {
		n, keep := c.next(rest[i:])
		switch {
		case keep:
			s.over += n
		case n == 1 && rest[i] >= utf8.RuneSelf:
			s.over += len(replacement)
		}
		i += n
	}
}

// compactor reads JSON text a rune at a time, telling the spaces between
// tokens, which compact text leaves out, from the rest.
type compactor struct {
	in, esc bool // inside a string; after its backslash
}

// next reads the rune that b starts with and returns its length and
// whether it is kept as it is. A byte that is not UTF-8 is neither kept
// nor a space: it is replaced.
func (c *compactor) next(b []byte) (n int, keep bool) {
	ch := b[0]
	if ch >= utf8.RuneSelf {
		r, size := utf8.DecodeRune(b)
		c.esc = false
		return size, r != utf8.RuneError || size != 1
	}
	switch {
	case c.esc:
		c.esc = false
	case c.in && ch == '\\':
		c.esc = true
	case ch == '"':
		c.in = !c.in
	case !c.in && (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'):
		return 1, false
	}
	return 1, true
}
