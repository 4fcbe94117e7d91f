package tracing

import (
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// utf8Fixer makes every string of the spans it is given valid UTF-8:
// names, attributes, events, links, status, instrumentation scope and
// resource. Protobuf refuses to encode a string that is not, and the stock
// exporter then loses the whole request, so one bad span of any tracer, or
// one bad resource attribute (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
// a program's own resource), would cost every span of its batch. It is
// safe for concurrent use.
type utf8Fixer struct {
	// res remembers the last resource seen and its fix: every span of a
	// provider shares one resource, which is checked once, not per span.
	res atomic.Pointer[resourceFix]
}

// resourceFix is a resource and what stands in for it: the resource
// itself when it is valid, else a copy whose strings are made valid.
type resourceFix struct {
	from, to *resource.Resource
}

// span returns s, or when s holds a string which is not valid UTF-8, a
// copy of s whose invalid bytes are U+FFFD. The batch processor calls it
// on its export goroutine, so that the program's goroutines do not pay for
// it as they end spans.
func (f *utf8Fixer) span(s sdktrace.ReadOnlySpan) sdktrace.ReadOnlySpan {
	res := f.resource(s.Resource())
	if res == s.Resource() && spanIsValidUTF8(s) {
		return s
	}
	fs := &fixedSpan{ReadOnlySpan: s, name: fixString(s.Name()), attrs: fixAttrs(s.Attributes()), res: res}
	if evs := s.Events(); len(evs) > 0 {
		fs.events = make([]sdktrace.Event, len(evs))
		for j, ev := range evs {
			ev.Name = fixString(ev.Name)
			ev.Attributes = fixAttrs(ev.Attributes)
			fs.events[j] = ev
		}
	}
	if ls := s.Links(); len(ls) > 0 {
		fs.links = make([]sdktrace.Link, len(ls))
		for j, l := range ls {
			l.Attributes = fixAttrs(l.Attributes)
			fs.links[j] = l
		}
	}
	fs.status = s.Status()
	fs.status.Description = fixString(fs.status.Description)
	sc := s.InstrumentationScope()
	fs.scope = instrumentation.Scope{Name: fixString(sc.Name), Version: fixString(sc.Version), SchemaURL: fixString(sc.SchemaURL), Attributes: sc.Attributes}
	if kvs, changed := fixKeyValues(sc.Attributes.ToSlice()); changed {
		fs.scope.Attributes = attribute.NewSet(kvs...)
	}
	return fs
}

// fixedSpan is a span with its strings made valid: the fields below
// stand in for the span's own, the rest is read from the span. It is
// the encoder's alone, which does not change what it returns.
type fixedSpan struct {
	sdktrace.ReadOnlySpan
	name   string
	attrs  []attribute.KeyValue
	events []sdktrace.Event
	links  []sdktrace.Link
	status sdktrace.Status
	scope  instrumentation.Scope
	res    *resource.Resource
}

func (s *fixedSpan) Name() string                                { return s.name }
func (s *fixedSpan) Attributes() []attribute.KeyValue            { return s.attrs }
func (s *fixedSpan) Events() []sdktrace.Event                    { return s.events }
func (s *fixedSpan) Links() []sdktrace.Link                      { return s.links }
func (s *fixedSpan) Status() sdktrace.Status                     { return s.status }
func (s *fixedSpan) InstrumentationScope() instrumentation.Scope { return s.scope }
func (s *fixedSpan) Resource() *resource.Resource                { return s.res }

// InstrumentationLibrary returns the fixed scope, which the deprecated
// library is an alias of.
//
//lint:ignore SA1019 a ReadOnlySpan still has this method
func (s *fixedSpan) InstrumentationLibrary() instrumentation.Library { //nolint:staticcheck // SA1019: as the line above says
	return s.scope
}

// resource returns r, or when r holds a string that is not valid UTF-8, a
// copy of r whose strings are made valid.
func (f *utf8Fixer) resource(r *resource.Resource) *resource.Resource {
	if last := f.res.Load(); last != nil && last.from == r {
		return last.to
	}
	fixed := r
	if r != nil && (!utf8.ValidString(r.SchemaURL()) || !iterValid(r.Iter())) {
		fixed = resource.NewWithAttributes(fixString(r.SchemaURL()), fixAttrs(r.Attributes())...)
	}
	f.res.Store(&resourceFix{from: r, to: fixed})
	return fixed
}

func spanIsValidUTF8(s sdktrace.ReadOnlySpan) bool {
	if !utf8.ValidString(s.Name()) || !utf8.ValidString(s.Status().Description) || !attrsValid(s.Attributes()) {
		return false
	}
	for _, e := range s.Events() {
		if !utf8.ValidString(e.Name) || !attrsValid(e.Attributes) {
			return false
		}
	}
	for _, l := range s.Links() {
		if !attrsValid(l.Attributes) {
			return false
		}
	}
	sc := s.InstrumentationScope()
	return utf8.ValidString(sc.Name) && utf8.ValidString(sc.Version) && utf8.ValidString(sc.SchemaURL) &&
		(sc.Attributes.Len() == 0 || iterValid(sc.Attributes.Iter()))
}

func attrsValid(kvs []attribute.KeyValue) bool {
	for _, kv := range kvs {
		if !kvValid(kv) {
			return false
		}
	}
	return true
}

func iterValid(it attribute.Iterator) bool {
	for it.Next() {
		if !kvValid(it.Attribute()) {
			return false
		}
	}
	return true
}

func kvValid(kv attribute.KeyValue) bool {
	return utf8.ValidString(string(kv.Key)) && valueValid(kv.Value)
}

// valueValid reports whether every string of v is valid UTF-8, those of
// slices and maps of values included.
func valueValid(v attribute.Value) bool {
	switch v.Type() {
	case attribute.STRING:
		return utf8.ValidString(v.AsString())
	case attribute.STRINGSLICE:
		for _, s := range v.AsStringSlice() {
			if !utf8.ValidString(s) {
				return false
			}
		}
	case attribute.SLICE:
		for _, x := range v.AsSlice() {
			if !valueValid(x) {
				return false
			}
		}
	case attribute.MAP:
		return attrsValid(v.AsMap())
	}
	return true
}

// fixAttrs returns kvs with every key and string value made valid UTF-8,
// in a new slice when any needed it.
func fixAttrs(kvs []attribute.KeyValue) []attribute.KeyValue {
	kvs, _ = fixKeyValues(kvs)
	return kvs
}

// fixKeyValues is fixAttrs, and whether any key or value needed fixing.
// Like fixValue it reads each value once, however deep its maps and
// slices nest.
func fixKeyValues(kvs []attribute.KeyValue) ([]attribute.KeyValue, bool) {
	var out []attribute.KeyValue
	for i, kv := range kvs {
		v, changed := fixValue(kv.Value)
		if k := string(kv.Key); !utf8.ValidString(k) {
			kv.Key, changed = attribute.Key(fixString(k)), true
		}
		if changed && out == nil {
			out = make([]attribute.KeyValue, i, len(kvs))
			copy(out, kvs)
		}
		if out != nil {
			out = append(out, attribute.KeyValue{Key: kv.Key, Value: v})
		}
	}
	if out == nil {
		return kvs, false
	}
	return out, true
}

// fixValue returns v with every string made valid UTF-8, those of slices
// and maps of values included, and whether any needed it.
func fixValue(v attribute.Value) (attribute.Value, bool) {
	switch v.Type() {
	case attribute.STRING:
		if s := v.AsString(); !utf8.ValidString(s) {
			return attribute.StringValue(fixString(s)), true
		}
	case attribute.STRINGSLICE:
		vs := v.AsStringSlice() // a copy
		changed := false
		for j, s := range vs {
			if !utf8.ValidString(s) {
				vs[j], changed = fixString(s), true
			}
		}
		if changed {
			return attribute.StringSliceValue(vs), true
		}
	case attribute.SLICE:
		xs := v.AsSlice() // a copy
		changed := false
		for j, x := range xs {
			if fx, ok := fixValue(x); ok {
				xs[j], changed = fx, true
			}
		}
		if changed {
			return attribute.SliceValue(xs...), true
		}
	case attribute.MAP:
		if kvs, changed := fixKeyValues(v.AsMap()); changed {
			return attribute.MapValue(kvs...), true
		}
	}
	return v, false
}

func fixString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
