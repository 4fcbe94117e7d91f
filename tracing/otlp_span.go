package tracing

import (
	"math"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/protobuf/encoding/protowire"
)

// The messages of a span are written in two steps: a measure method gives
// each message's size, which goes before it on the wire, and an append
// function writes it. The two must agree field for field; the tests
// decode what is written and compare it with the stock exporter's.
//
// A slice or map of values holds AnyValue messages within AnyValue
// messages, as deep as it nests. So that writing one costs time in its
// size, not in the square of its depth, an attribute is measured once
// before it is written and the size of every slice and map in it is kept
// for the writer (see valueWriter), which would otherwise measure each
// again at each level above it.

// measure computes the sizes of messages and notes whether a string in
// them is not valid UTF-8. One that starts with invalid set checks no
// string: the writer's, whose strings were checked when their span was
// measured.
type measure struct {
	invalid bool
	// record makes value append to sizes the size of the ArrayValue or
	// KeyValueList of each slice or map it measures, in pre-order: a
	// value before the values within it.
	record bool
	sizes  []int
}

// str returns the length of s, checking it.
func (m *measure) str(s string) int {
	if !m.invalid && !utf8.ValidString(s) {
		m.invalid = true
	}
	return len(s)
}

// strField is the size of a string field of s, which is left out when
// empty.
func (m *measure) strField(num protowire.Number, s string) int {
	if s == "" {
		return 0
	}
	return lenField(num, m.str(s))
}

// span returns the size of the Span message of s, without its tag and
// length prefix.
func (m *measure) span(s sdktrace.ReadOnlySpan) int {
	sc := s.SpanContext()
	n := lenField(fSpanTraceID, 16) + lenField(fSpanSpanID, 8)
	n += m.strField(fSpanTraceState, sc.TraceState().String())
	if s.Parent().SpanID().IsValid() {
		n += lenField(fSpanParentSpanID, 8)
	}
	n += m.strField(fSpanName, s.Name())
	n += varintField(fSpanKind, spanKind(s.SpanKind()))
	n += fixed64Field(fSpanStart, unixNano(s.StartTime().UnixNano()))
	n += fixed64Field(fSpanEnd, unixNano(s.EndTime().UnixNano()))
	for _, kv := range s.Attributes() {
		n += lenField(fSpanAttributes, m.keyValue(kv))
	}
	n += varintField(fSpanDroppedAttrs, clampUint32(s.DroppedAttributes()))
	for _, ev := range s.Events() {
		n += lenField(fSpanEvents, m.event(ev))
	}
	n += varintField(fSpanDroppedEvents, clampUint32(s.DroppedEvents()))
	for _, l := range s.Links() {
		n += lenField(fSpanLinks, m.link(l))
	}
	n += varintField(fSpanDroppedLinks, clampUint32(s.DroppedLinks()))
	n += lenField(fSpanStatus, m.status(s.Status()))
	return n + protowire.SizeTag(fSpanFlags) + protowire.SizeFixed32()
}

func (m *measure) event(ev sdktrace.Event) int {
	n := fixed64Field(fEventTime, unixNano(ev.Time.UnixNano())) + m.strField(fEventName, ev.Name)
	for _, kv := range ev.Attributes {
		n += lenField(fEventAttributes, m.keyValue(kv))
	}
	return n + varintField(fEventDroppedAttrs, clampUint32(ev.DroppedAttributeCount))
}

func (m *measure) link(l sdktrace.Link) int {
	n := lenField(fLinkTraceID, 16) + lenField(fLinkSpanID, 8)
	for _, kv := range l.Attributes {
		n += lenField(fLinkAttributes, m.keyValue(kv))
	}
	n += varintField(fLinkDroppedAttrs, clampUint32(l.DroppedAttributeCount))
	return n + protowire.SizeTag(fLinkFlags) + protowire.SizeFixed32()
}

func (m *measure) status(st sdktrace.Status) int {
	return m.strField(fStatusMessage, st.Description) + varintField(fStatusCode, statusCode(st.Code))
}

func (m *measure) keyValue(kv attribute.KeyValue) int {
	return m.strField(fKeyValueKey, string(kv.Key)) + lenField(fKeyValueValue, m.value(kv.Value))
}

// value returns the size of the AnyValue message of v. Its one field is
// written even when it holds the zero value, as a oneof is.
func (m *measure) value(v attribute.Value) int {
	switch v.Type() {
	case attribute.EMPTY:
		return 0
	case attribute.BOOL:
		return protowire.SizeTag(fAnyBool) + 1
	case attribute.INT64:
		return protowire.SizeTag(fAnyInt) + protowire.SizeVarint(uint64(v.AsInt64()))
	case attribute.FLOAT64:
		return protowire.SizeTag(fAnyDouble) + protowire.SizeFixed64()
	case attribute.STRING:
		return lenField(fAnyString, m.str(v.AsString()))
	case attribute.BYTESLICE:
		return lenField(fAnyBytes, len(v.AsByteSlice()))
	case attribute.BOOLSLICE:
		// Each element is an AnyValue of a bool: tag and one byte.
		return lenField(fAnyArray, len(v.AsBoolSlice())*lenField(fArrayValues, protowire.SizeTag(fAnyBool)+1))
	case attribute.INT64SLICE:
		n := 0
		for _, x := range v.AsInt64Slice() {
			n += lenField(fArrayValues, protowire.SizeTag(fAnyInt)+protowire.SizeVarint(uint64(x)))
		}
		return lenField(fAnyArray, n)
	case attribute.FLOAT64SLICE:
		return lenField(fAnyArray, len(v.AsFloat64Slice())*lenField(fArrayValues, protowire.SizeTag(fAnyDouble)+protowire.SizeFixed64()))
	case attribute.STRINGSLICE:
		n := 0
		for _, x := range v.AsStringSlice() {
			n += lenField(fArrayValues, lenField(fAnyString, m.str(x)))
		}
		return lenField(fAnyArray, n)
	case attribute.SLICE:
		at := m.slot()
		n := 0
		for _, x := range v.AsSlice() {
			n += lenField(fArrayValues, m.value(x))
		}
		m.fill(at, n)
		return lenField(fAnyArray, n)
	case attribute.MAP:
		at := m.slot()
		n := 0
		for _, kv := range v.AsMap() {
			n += lenField(fKvlistValues, m.keyValue(kv))
		}
		m.fill(at, n)
		return lenField(fAnyKvlist, n)
	default:
		return lenField(fAnyString, len(invalidAttributeText))
	}
}

// slot reserves the place in sizes of the slice or map being measured,
// before the values within it take theirs, and returns it; -1 when m
// does not record.
func (m *measure) slot() int {
	if !m.record {
		return -1
	}
	m.sizes = append(m.sizes, 0)
	return len(m.sizes) - 1
}

// fill notes n in the place slot reserved.
func (m *measure) fill(at, n int) {
	if at >= 0 {
		m.sizes[at] = n
	}
}

// keyValueSize is the size of the KeyValue message of kv, whose strings
// are valid.
func keyValueSize(kv attribute.KeyValue) int {
	m := measure{invalid: true}
	return m.keyValue(kv)
}

// appendKeyValue appends kv as a KeyValue message in field num.
func appendKeyValue(b []byte, num protowire.Number, kv attribute.KeyValue) []byte {
	w := newValueWriter()
	return w.keyValue(b, num, kv)
}

// valueWriter appends attributes, measuring each once: the sizes of the
// slices and maps within it are kept in pre-order, the order in which
// they are written, and taken as they are. One writer serves the
// attributes of a span, one after another, so that they share its
// space for sizes.
type valueWriter struct {
	m    measure
	next int // the index in m.sizes of the next slice or map written
}

func newValueWriter() valueWriter {
	return valueWriter{m: measure{invalid: true, record: true}}
}

// appendSpan appends the Span message of s, of size n, with its tag.
func appendSpan(b []byte, s sdktrace.ReadOnlySpan, n int) []byte {
	w := newValueWriter()
	b = appendLen(b, fScopeSpansSpans, n)
	sc := s.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	b = appendLen(b, fSpanTraceID, len(tid))
	b = append(b, tid[:]...)
	b = appendLen(b, fSpanSpanID, len(sid))
	b = append(b, sid[:]...)
	b = appendStr(b, fSpanTraceState, sc.TraceState().String())
	parent := s.Parent()
	if psid := parent.SpanID(); psid.IsValid() {
		b = appendLen(b, fSpanParentSpanID, len(psid))
		b = append(b, psid[:]...)
	}
	b = appendStr(b, fSpanName, s.Name())
	b = appendVarintField(b, fSpanKind, spanKind(s.SpanKind()))
	b = appendFixed64Field(b, fSpanStart, unixNano(s.StartTime().UnixNano()))
	b = appendFixed64Field(b, fSpanEnd, unixNano(s.EndTime().UnixNano()))
	for _, kv := range s.Attributes() {
		b = w.keyValue(b, fSpanAttributes, kv)
	}
	b = appendVarintField(b, fSpanDroppedAttrs, clampUint32(s.DroppedAttributes()))
	for _, ev := range s.Events() {
		b = w.event(b, ev)
	}
	b = appendVarintField(b, fSpanDroppedEvents, clampUint32(s.DroppedEvents()))
	for _, l := range s.Links() {
		b = w.link(b, l)
	}
	b = appendVarintField(b, fSpanDroppedLinks, clampUint32(s.DroppedLinks()))
	st := s.Status()
	m := measure{invalid: true}
	b = appendLen(b, fSpanStatus, m.status(st))
	b = appendStr(b, fStatusMessage, st.Description)
	b = appendVarintField(b, fStatusCode, statusCode(st.Code))
	b = protowire.AppendTag(b, fSpanFlags, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, spanFlags(sc.TraceFlags(), parent))
}

func (w *valueWriter) event(b []byte, ev sdktrace.Event) []byte {
	m := measure{invalid: true}
	b = appendLen(b, fSpanEvents, m.event(ev))
	b = appendFixed64Field(b, fEventTime, unixNano(ev.Time.UnixNano()))
	b = appendStr(b, fEventName, ev.Name)
	for _, kv := range ev.Attributes {
		b = w.keyValue(b, fEventAttributes, kv)
	}
	return appendVarintField(b, fEventDroppedAttrs, clampUint32(ev.DroppedAttributeCount))
}

func (w *valueWriter) link(b []byte, l sdktrace.Link) []byte {
	m := measure{invalid: true}
	b = appendLen(b, fSpanLinks, m.link(l))
	sc := l.SpanContext
	tid, sid := sc.TraceID(), sc.SpanID()
	b = appendLen(b, fLinkTraceID, len(tid))
	b = append(b, tid[:]...)
	b = appendLen(b, fLinkSpanID, len(sid))
	b = append(b, sid[:]...)
	for _, kv := range l.Attributes {
		b = w.keyValue(b, fLinkAttributes, kv)
	}
	b = appendVarintField(b, fLinkDroppedAttrs, clampUint32(l.DroppedAttributeCount))
	b = protowire.AppendTag(b, fLinkFlags, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, spanFlags(sc.TraceFlags(), sc))
}

// keyValue appends kv as a KeyValue message in field num.
func (w *valueWriter) keyValue(b []byte, num protowire.Number, kv attribute.KeyValue) []byte {
	w.m.sizes, w.next = w.m.sizes[:0], 0
	b = appendLen(b, num, w.m.keyValue(kv))
	return w.keyValueBody(b, kv)
}

// keyValueBody appends the fields of kv's KeyValue message.
func (w *valueWriter) keyValueBody(b []byte, kv attribute.KeyValue) []byte {
	b = appendStr(b, fKeyValueKey, string(kv.Key))
	return w.value(b, fKeyValueValue, kv.Value)
}

// size is the size of the AnyValue message of v, the next value to be
// written: for a slice or map the size kept for it, for any other value
// its own, which it takes no time in its depth to measure.
func (w *valueWriter) size(v attribute.Value) int {
	switch v.Type() {
	case attribute.SLICE:
		return lenField(fAnyArray, w.m.sizes[w.next])
	case attribute.MAP:
		return lenField(fAnyKvlist, w.m.sizes[w.next])
	}
	return w.m.value(v)
}

// value appends v as an AnyValue message in field num.
func (w *valueWriter) value(b []byte, num protowire.Number, v attribute.Value) []byte {
	b = appendLen(b, num, w.size(v))
	switch v.Type() {
	case attribute.SLICE:
		b = appendLen(b, fAnyArray, w.m.sizes[w.next])
		w.next++
		for _, x := range v.AsSlice() {
			b = w.value(b, fArrayValues, x)
		}
	case attribute.MAP:
		b = appendLen(b, fAnyKvlist, w.m.sizes[w.next])
		w.next++
		for _, kv := range v.AsMap() {
			b = appendLen(b, fKvlistValues, strField(fKeyValueKey, string(kv.Key))+lenField(fKeyValueValue, w.size(kv.Value)))
			b = w.keyValueBody(b, kv)
		}
	default:
		b = appendScalar(b, v)
	}
	return b
}

// appendScalar appends the one field of the AnyValue message of v,
// which is neither a slice nor a map of values.
func appendScalar(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.EMPTY:
	case attribute.BOOL:
		b = protowire.AppendTag(b, fAnyBool, protowire.VarintType)
		b = protowire.AppendVarint(b, protowire.EncodeBool(v.AsBool()))
	case attribute.INT64:
		b = protowire.AppendTag(b, fAnyInt, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(v.AsInt64()))
	case attribute.FLOAT64:
		b = protowire.AppendTag(b, fAnyDouble, protowire.Fixed64Type)
		b = protowire.AppendFixed64(b, math.Float64bits(v.AsFloat64()))
	case attribute.STRING:
		b = protowire.AppendTag(b, fAnyString, protowire.BytesType)
		b = protowire.AppendString(b, v.AsString())
	case attribute.BYTESLICE:
		b = protowire.AppendTag(b, fAnyBytes, protowire.BytesType)
		b = protowire.AppendBytes(b, v.AsByteSlice())
	case attribute.BOOLSLICE:
		xs := v.AsBoolSlice()
		b = appendLen(b, fAnyArray, len(xs)*lenField(fArrayValues, protowire.SizeTag(fAnyBool)+1))
		for _, x := range xs {
			b = appendLen(b, fArrayValues, protowire.SizeTag(fAnyBool)+1)
			b = protowire.AppendTag(b, fAnyBool, protowire.VarintType)
			b = protowire.AppendVarint(b, protowire.EncodeBool(x))
		}
	case attribute.INT64SLICE:
		xs := v.AsInt64Slice()
		n := 0
		for _, x := range xs {
			n += lenField(fArrayValues, protowire.SizeTag(fAnyInt)+protowire.SizeVarint(uint64(x)))
		}
		b = appendLen(b, fAnyArray, n)
		for _, x := range xs {
			b = appendLen(b, fArrayValues, protowire.SizeTag(fAnyInt)+protowire.SizeVarint(uint64(x)))
			b = protowire.AppendTag(b, fAnyInt, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(x))
		}
	case attribute.FLOAT64SLICE:
		xs := v.AsFloat64Slice()
		each := protowire.SizeTag(fAnyDouble) + protowire.SizeFixed64()
		b = appendLen(b, fAnyArray, len(xs)*lenField(fArrayValues, each))
		for _, x := range xs {
			b = appendLen(b, fArrayValues, each)
			b = protowire.AppendTag(b, fAnyDouble, protowire.Fixed64Type)
			b = protowire.AppendFixed64(b, math.Float64bits(x))
		}
	case attribute.STRINGSLICE:
		xs := v.AsStringSlice()
		n := 0
		for _, x := range xs {
			n += lenField(fArrayValues, lenField(fAnyString, len(x)))
		}
		b = appendLen(b, fAnyArray, n)
		for _, x := range xs {
			b = appendLen(b, fArrayValues, lenField(fAnyString, len(x)))
			b = protowire.AppendTag(b, fAnyString, protowire.BytesType)
			b = protowire.AppendString(b, x)
		}
	default:
		b = protowire.AppendTag(b, fAnyString, protowire.BytesType)
		b = protowire.AppendString(b, invalidAttributeText)
	}
	return b
}
