package capture

import (
	stdjson "encoding/json"
	"log/slog"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	json "github.com/goccy/go-json"
)

// DefaultMaxBytes is the size limit of one captured value, in bytes of
// output, when Options.MaxBytes is not set.
const DefaultMaxBytes = 1 << 20

// DefaultMaxDepth is the nesting limit, in JSON objects and arrays, when
// Options.MaxDepth is not set. Real inputs and outputs of LLM calls, tool
// schemas included, nest far less; anything deeper is more likely a
// runaway structure than data someone wants to read.
const DefaultMaxDepth = 32

// maxMaxDepth caps Options.MaxDepth: the encoder recurses once per level,
// and a linked list a million long must not exhaust the stack.
const maxMaxDepth = 1000

// MaskFailed is the text that replaces a value when Options.Mask or
// Options.TextMask panics. The value itself is never written then, since
// the mask exists to keep some of it out of traces.
const MaskFailed = "<mask failed>"

// Options controls how a value is captured. The zero value is ready to
// use. Options is a plain value and safe to share between goroutines if
// Mask and TextMask are.
type Options struct {
	// MaxBytes limits the output; 0 or less means DefaultMaxBytes.
	MaxBytes int
	// MaxDepth limits the nesting of JSON objects and arrays; 0 or less
	// means DefaultMaxDepth, and more than 1000 means 1000.
	MaxDepth int
	// Mask, if set, is applied to the value before it is encoded, for
	// example to redact secrets. Its result is encoded instead.
	Mask func(any) any
	// TextMask, if set, is applied to the text of the value once it is
	// encoded, whatever its Go type, for example to replace card numbers
	// with a regular expression. Its result is cut to MaxBytes again and
	// has invalid UTF-8 replaced; from JSON, a result that is no longer
	// valid JSON is written as a JSON string.
	TextMask func(string) string
	// RedactNames adds names to the list of those whose values, as a
	// struct field, map key, slog group member or named argument, are
	// recorded as Redacted (see the package doc). Names are matched
	// normalised: "SSN" and "ssn" are one name.
	RedactNames []string
	// KeepNames takes names off that list, default ones included: their
	// values are recorded as they are, unless a langfuse:"redact" tag
	// says otherwise. A name in both lists is kept.
	KeepNames []string
}

func (o Options) limits() (maxBytes, maxDepth int) {
	maxBytes, maxDepth = o.MaxBytes, o.MaxDepth
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	maxDepth = min(maxDepth, maxMaxDepth)
	return maxBytes, maxDepth
}

// String returns the text for v as the input or output of an observation:
// a string as it is, an error as its message, and anything else as JSON
// text, as JSON would return. A string type of the caller's own counts as
// a string unless it has its own JSON or text marshalling. The result is
// valid UTF-8 and at most o.MaxBytes long. String is safe for concurrent
// use.
func String(v any, o Options) string {
	return render(v, o, true)
}

// JSON returns v as JSON text, a string becoming a JSON string, for
// attributes that must hold JSON such as metadata values, model parameters
// and usage. The result is valid UTF-8 and at most o.MaxBytes long, and
// valid JSON unless it had to be cut. JSON is safe for concurrent use.
func JSON(v any, o Options) string {
	return render(v, o, false)
}

func render(v any, o Options, text bool) string {
	out := encode(v, o, text)
	if o.TextMask != nil {
		out = maskText(out, o, text)
	}
	return out
}

func encode(v any, o Options, text bool) string {
	maxBytes, maxDepth := o.limits()
	if o.Mask != nil {
		var ok bool
		if v, ok = applyMask(o.Mask, v); !ok {
			if text {
				return fit(MaskFailed, maxBytes)
			}
			return fit(`"`+MaskFailed+`"`, maxBytes)
		}
	}
	// The common scalars skip reflection, pooling and go-json.
	switch x := v.(type) {
	case nil:
		return fit("null", maxBytes)
	case string:
		if text {
			return plainText(x, maxBytes)
		}
		return quote(x, maxBytes)
	case bool:
		if x {
			return fit("true", maxBytes)
		}
		return fit("false", maxBytes)
	case int:
		return fit(strconv.Itoa(x), maxBytes)
	case int64:
		return fit(strconv.FormatInt(x, 10), maxBytes)
	case int32:
		return fit(strconv.FormatInt(int64(x), 10), maxBytes)
	case uint64:
		return fit(strconv.FormatUint(x, 10), maxBytes)
	case uint:
		return fit(strconv.FormatUint(uint64(x), 10), maxBytes)
	case float64:
		return fit(formatFloat(x, 64), maxBytes)
	case float32:
		return fit(formatFloat(float64(x), 32), maxBytes)
	case time.Time:
		var a [64]byte
		return fit(string(appendTime(a[:0], x)), maxBytes)
	}
	return captureValue(v, names{o.RedactNames, o.KeepNames}, maxBytes, maxDepth, text)
}

func captureValue(v any, ns names, maxBytes, maxDepth int, text bool) string {
	ti := infoFor(reflect.TypeOf(v))
	if ti.logValuer && (ti.kind != reflect.Pointer || !reflect.ValueOf(v).IsNil()) {
		return captureLogValue(v.(slog.LogValuer), ns, maxBytes, maxDepth, text)
	}
	if text && !ti.redacts && (ti.kind == reflect.String || ti.isError) && !ti.marshalJSON && !ti.marshalText {
		rv := reflect.ValueOf(v)
		switch {
		case ti.kind == reflect.String && !ti.methods:
			return plainText(rv.String(), maxBytes)
		case ti.isError && (ti.kind != reflect.Pointer || !rv.IsNil()):
			msg, err := callError(v.(error))
			if err != nil {
				msg = problemText("Error", err)
			}
			return plainText(msg, maxBytes)
		}
	}
	if ti.direct && ti.depth <= maxDepth && ns.allowDirect(ti) && estimateAny(v, ti, overshoot*maxBytes, &ns) <= overshoot*maxBytes {
		if b, ok := marshal(v); ok {
			return cut(b, 0, maxBytes, false, true)
		}
	}
	s := newState(maxBytes, maxDepth)
	s.names = ns
	s.walk(reflect.ValueOf(v), ti)
	out := s.result()
	s.release()
	return out
}

// captureLogValue captures what lv says of itself for logs. A type that
// logs as a string is captured as one, like a string.
func captureLogValue(lv slog.LogValuer, ns names, maxBytes, maxDepth int, text bool) string {
	v, err := resolve(lv)
	if err == nil && text && v.Kind() == slog.KindString {
		return plainText(v.String(), maxBytes)
	}
	s := newState(maxBytes, maxDepth)
	s.names = ns
	if err != nil {
		s.problem("LogValue", err)
	} else {
		s.slogValue(v)
	}
	out := s.result()
	s.release()
	return out
}

// noHTML keeps <, > and & readable: the text goes into traces, not HTML.
var noHTML = []json.EncodeOptionFunc{json.DisableHTMLEscape()}

// marshal encodes v with go-json, reporting false if it fails or panics.
func marshal(v any) (b []byte, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	b, err := json.MarshalWithOption(v, noHTML...)
	return b, err == nil
}

func applyMask(mask func(any) any, v any) (out any, ok bool) {
	defer func() {
		if recover() != nil {
			out, ok = nil, false
		}
	}()
	return mask(v), true
}

// maskText applies o.TextMask to out, the encoded value, and bounds the
// result again. A panicking mask yields MaskFailed, never out.
func maskText(out string, o Options, text bool) string {
	maxBytes, _ := o.limits()
	masked, ok := applyTextMask(o.TextMask, out)
	switch {
	case !ok && text:
		return fit(MaskFailed, maxBytes)
	case !ok:
		return fit(`"`+MaskFailed+`"`, maxBytes)
	case masked == out:
		return out
	case !text && !validJSON(masked) && validJSON(out):
		// The mask broke the JSON it was given; keep what it left,
		// as a string.
		return quote(masked, maxBytes)
	}
	return plainText(masked, maxBytes)
}

func validJSON(s string) bool {
	return stdjson.Valid(unsafe.Slice(unsafe.StringData(s), len(s)))
}

func applyTextMask(mask func(string) string, s string) (out string, ok bool) {
	defer func() {
		if recover() != nil {
			out, ok = "", false
		}
	}()
	return mask(s), true
}

// plainText returns s with invalid UTF-8 replaced, cut to maxBytes.
func plainText(s string, maxBytes int) string {
	if len(s) <= maxBytes && utf8.ValidString(s) {
		return s
	}
	st := newState(maxBytes, DefaultMaxDepth)
	st.text(s, false)
	out := st.result()
	st.release()
	return out
}

// quote returns s as a JSON string, cut to maxBytes.
func quote(s string, maxBytes int) string {
	if maxBytes >= 2 && len(s) <= (maxBytes-2)/len(`\u0000`) {
		b := make([]byte, 0, len(s)+2)
		b = append(b, '"')
		b = appendEscaped(b, s)
		b = append(b, '"')
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	st := newState(maxBytes, DefaultMaxDepth)
	st.text(s, true)
	out := st.result()
	st.release()
	return out
}

// fit cuts a short literal in the unlikely case that maxBytes is smaller.
func fit(s string, maxBytes int) string {
	if len(s) <= maxBytes {
		return s
	}
	return cut(unsafe.Slice(unsafe.StringData(s), len(s)), 0, maxBytes, false, false)
}

// cut returns b as a string of at most maxBytes. If b plus over more bytes
// that were counted but not kept is longer, it keeps as much of b as fits
// before the truncation marker, cut on a rune boundary. more means the
// count stopped early, so the number in the marker is a lower bound.
// owned means b is not used elsewhere and may become the result.
func cut(b []byte, over, maxBytes int, more, owned bool) string {
	if over == 0 && len(b) <= maxBytes {
		if owned || len(b) == 0 {
			return unsafe.String(unsafe.SliceData(b), len(b))
		}
		return string(b)
	}
	total := len(b) + over
	// The marker holds the number it cuts, so its length depends on
	// where it cuts: shrink until the two agree. The number only grows as
	// the cut moves back, so this ends within a few rounds.
	keep := len(b)
	m := marker(total-keep, more)
	for keep+len(m) > maxBytes && keep > 0 {
		keep = runeCut(unsafe.String(unsafe.SliceData(b), len(b)), max(0, maxBytes-len(m)))
		m = marker(total-keep, more)
	}
	if keep+len(m) > maxBytes {
		// Not even the marker fits: keep what fits of it.
		return m[:maxBytes]
	}
	var out []byte
	if owned && cap(b) <= 2*maxBytes {
		out = append(b[:keep], m...)
	} else {
		// Copy, so that a short result does not keep a large buffer alive.
		out = make([]byte, 0, keep+len(m))
		out = append(append(out, b[:keep]...), m...)
	}
	return unsafe.String(unsafe.SliceData(out), len(out))
}

func marker(dropped int, more bool) string {
	if more {
		return "...<truncated more than " + strconv.Itoa(dropped) + " bytes>"
	}
	return "...<truncated " + strconv.Itoa(dropped) + " bytes>"
}
