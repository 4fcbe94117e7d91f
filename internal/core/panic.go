package core

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"

	"github.com/observe-go/langfuse/capture"
)

// maxPanicText bounds the text of a panic value: it goes into the status
// message, the OpenTelemetry status and the exception event, and a panic
// should not wait for a huge value to be written three times.
const maxPanicText = 8 << 10

// panicText is the text of a panic value, as fmt.Sprint writes it, at most
// maxPanicText or copts.MaxBytes long, whichever is less. fmt.Sprint recurses forever on a map, slice or
// interface that holds itself, which no recover can stop, so a value that
// is cyclic or too large to check is written by package capture instead,
// which is cycle-safe and bounded.
func panicText(p any, copts capture.Options) string {
	limit := maxPanicText
	if copts.MaxBytes > 0 {
		limit = min(limit, copts.MaxBytes)
	}
	bounded := capture.Options{MaxBytes: limit}
	switch v := p.(type) {
	case string:
		return capture.String(v, bounded)
	case error:
		return capture.String(safeError(v), bounded)
	}
	if !fmtSafe(reflect.ValueOf(p), 0, &walkBudget{n: maxWalk}) {
		return capture.String(p, bounded)
	}
	return capture.String(safeSprint(p), bounded)
}

// maxWalk bounds how many values fmtSafe looks at.
const maxWalk = 10_000

type walkBudget struct{ n int }

// fmtSafe reports whether fmt.Sprint finishes on v and writes nothing
// that package capture would redact: fmt follows a pointer only at the top
// level and prints addresses below it, but it follows maps, slices,
// arrays, interfaces and struct fields as deep as they go, and prints
// request headers, URL passwords and values that redact themselves for
// logs (slog.LogValuer) as they are.
func fmtSafe(v reflect.Value, depth int, b *walkBudget) bool {
	b.n--
	switch {
	case b.n < 0 || depth > 64:
		return false
	case !v.IsValid():
		return true // a nil interface: fmt writes <nil>
	}
	if redactedByCapture(v.Type()) {
		return false
	}
	switch v.Kind() {
	case reflect.Pointer:
		if depth == 0 && !v.IsNil() {
			return fmtSafe(v.Elem(), depth+1, b)
		}
	case reflect.Interface:
		if !v.IsNil() {
			return fmtSafe(v.Elem(), depth+1, b)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if !fmtSafe(it.Key(), depth+1, b) || !fmtSafe(it.Value(), depth+1, b) {
				return false
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if !fmtSafe(v.Index(i), depth+1, b) {
				return false
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if !fmtSafe(v.Field(i), depth+1, b) {
				return false
			}
		}
	}
	return true
}

// redactedTypes are the types package capture redacts by default.
var redactedTypes = []reflect.Type{
	reflect.TypeFor[http.Request](), reflect.TypeFor[http.Header](),
	reflect.TypeFor[url.URL](), reflect.TypeFor[url.Userinfo](),
}

var logValuer = reflect.TypeFor[slog.LogValuer]()

func redactedByCapture(t reflect.Type) bool {
	if t.Implements(logValuer) {
		return true
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem() // fmt calls a pointer's String method at any depth
	}
	return slices.Contains(redactedTypes, t) || t.Implements(logValuer)
}

// safeSprint formats v, containing a panic in its String or Error method.
func safeSprint(v any) (s string) {
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("<%T: panic while formatting>", v)
		}
	}()
	return fmt.Sprint(v)
}
