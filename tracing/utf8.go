package tracing

import (
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// validUTF8 replaces, in place, each span of batch that holds a string
// which is not valid UTF-8 by a copy whose invalid bytes are U+FFFD.
// Protobuf refuses to encode such a string, and the stock exporter then
// loses the whole request, so one bad span of any tracer would cost every
// other span of its batch. Spans that need nothing are left as they are.
func validUTF8(batch []sdktrace.ReadOnlySpan) {
	for i, s := range batch {
		if spanIsValidUTF8(s) {
			continue
		}
		stub := tracetest.SpanStubFromReadOnlySpan(s)
		stub.Name = fixString(stub.Name)
		stub.Attributes = fixAttrs(stub.Attributes)
		for j := range stub.Events {
			stub.Events[j].Name = fixString(stub.Events[j].Name)
			stub.Events[j].Attributes = fixAttrs(stub.Events[j].Attributes)
		}
		for j := range stub.Links {
			stub.Links[j].Attributes = fixAttrs(stub.Links[j].Attributes)
		}
		stub.Status.Description = fixString(stub.Status.Description)
		stub.InstrumentationScope.Name = fixString(stub.InstrumentationScope.Name)
		stub.InstrumentationScope.Version = fixString(stub.InstrumentationScope.Version)
		stub.InstrumentationScope.SchemaURL = fixString(stub.InstrumentationScope.SchemaURL)
		batch[i] = stub.Snapshot()
	}
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
	return utf8.ValidString(sc.Name) && utf8.ValidString(sc.Version) && utf8.ValidString(sc.SchemaURL)
}

func attrsValid(kvs []attribute.KeyValue) bool {
	for _, kv := range kvs {
		if !utf8.ValidString(string(kv.Key)) {
			return false
		}
		switch kv.Value.Type() {
		case attribute.STRING:
			if !utf8.ValidString(kv.Value.AsString()) {
				return false
			}
		case attribute.STRINGSLICE:
			for _, v := range kv.Value.AsStringSlice() {
				if !utf8.ValidString(v) {
					return false
				}
			}
		}
	}
	return true
}

// fixAttrs returns kvs with every key and string value made valid UTF-8,
// in a new slice when any needed it.
func fixAttrs(kvs []attribute.KeyValue) []attribute.KeyValue {
	if attrsValid(kvs) {
		return kvs
	}
	out := make([]attribute.KeyValue, len(kvs))
	for i, kv := range kvs {
		key := attribute.Key(fixString(string(kv.Key)))
		switch kv.Value.Type() {
		case attribute.STRING:
			out[i] = key.String(fixString(kv.Value.AsString()))
		case attribute.STRINGSLICE:
			vs := kv.Value.AsStringSlice()
			for j, v := range vs {
				vs[j] = fixString(v)
			}
			out[i] = key.StringSlice(vs)
		default:
			out[i] = attribute.KeyValue{Key: key, Value: kv.Value}
		}
	}
	return out
}

func fixString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
