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

// measure computes the sizes of messages and notes whether a string in
// them is not valid UTF-8.
type measure struct{ invalid bool }

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
		n := 0
		for _, x := range v.AsSlice() {
			n += lenField(fArrayValues, m.value(x))
		}
		return lenField(fAnyArray, n)
	case attribute.MAP:
		n := 0
		for _, kv := range v.AsMap() {
			n += lenField(fKvlistValues, m.keyValue(kv))
		}
		return lenField(fAnyKvlist, n)
	default:
		return lenField(fAnyString, len(invalidAttributeText))
	}
}

// keyValueSize is the size of the KeyValue message of kv, whose strings
// are valid.
func keyValueSize(kv attribute.KeyValue) int { return new(measure).keyValue(kv) }

// appendSpan appends the Span message of s, of size n, with its tag.
func appendSpan(b []byte, s sdktrace.ReadOnlySpan, n int) []byte {
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
		b = appendKeyValue(b, fSpanAttributes, kv)
	}
	b = appendVarintField(b, fSpanDroppedAttrs, clampUint32(s.DroppedAttributes()))
	for _, ev := range s.Events() {
		b = appendEvent(b, ev)
	}
	b = appendVarintField(b, fSpanDroppedEvents, clampUint32(s.DroppedEvents()))
	for _, l := range s.Links() {
		b = appendLink(b, l)
	}
	b = appendVarintField(b, fSpanDroppedLinks, clampUint32(s.DroppedLinks()))
	st := s.Status()
	var m measure
	b = appendLen(b, fSpanStatus, m.status(st))
	b = appendStr(b, fStatusMessage, st.Description)
	b = appendVarintField(b, fStatusCode, statusCode(st.Code))
	b = protowire.AppendTag(b, fSpanFlags, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, spanFlags(sc.TraceFlags(), parent))
}

func appendEvent(b []byte, ev sdktrace.Event) []byte {
	var m measure
	b = appendLen(b, fSpanEvents, m.event(ev))
	b = appendFixed64Field(b, fEventTime, unixNano(ev.Time.UnixNano()))
	b = appendStr(b, fEventName, ev.Name)
	for _, kv := range ev.Attributes {
		b = appendKeyValue(b, fEventAttributes, kv)
	}
	return appendVarintField(b, fEventDroppedAttrs, clampUint32(ev.DroppedAttributeCount))
}

func appendLink(b []byte, l sdktrace.Link) []byte {
	var m measure
	b = appendLen(b, fSpanLinks, m.link(l))
	sc := l.SpanContext
	tid, sid := sc.TraceID(), sc.SpanID()
	b = appendLen(b, fLinkTraceID, len(tid))
	b = append(b, tid[:]...)
	b = appendLen(b, fLinkSpanID, len(sid))
	b = append(b, sid[:]...)
	for _, kv := range l.Attributes {
		b = appendKeyValue(b, fLinkAttributes, kv)
	}
	b = appendVarintField(b, fLinkDroppedAttrs, clampUint32(l.DroppedAttributeCount))
	b = protowire.AppendTag(b, fLinkFlags, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, spanFlags(sc.TraceFlags(), sc))
}

// appendKeyValue appends kv as a KeyValue message in field num.
func appendKeyValue(b []byte, num protowire.Number, kv attribute.KeyValue) []byte {
	var m measure
	b = appendLen(b, num, m.keyValue(kv))
	b = appendStr(b, fKeyValueKey, string(kv.Key))
	return appendValue(b, fKeyValueValue, kv.Value)
}

// appendValue appends v as an AnyValue message in field num.
func appendValue(b []byte, num protowire.Number, v attribute.Value) []byte {
	var m measure
	b = appendLen(b, num, m.value(v))
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
	case attribute.SLICE:
		xs := v.AsSlice()
		n := 0
		for _, x := range xs {
			n += lenField(fArrayValues, m.value(x))
		}
		b = appendLen(b, fAnyArray, n)
		for _, x := range xs {
			b = appendValue(b, fArrayValues, x)
		}
	case attribute.MAP:
		kvs := v.AsMap()
		n := 0
		for _, kv := range kvs {
			n += lenField(fKvlistValues, m.keyValue(kv))
		}
		b = appendLen(b, fAnyKvlist, n)
		for _, kv := range kvs {
			b = appendKeyValue(b, fKvlistValues, kv)
		}
	default:
		b = protowire.AppendTag(b, fAnyString, protowire.BytesType)
		b = protowire.AppendString(b, invalidAttributeText)
	}
	return b
}
