package tracing

import (
	"math"
	"sync/atomic"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protowire"
)

// otlpEncoder writes spans as the protobuf OTLP ExportTraceServiceRequest
// straight from the SDK's read-only spans, with the fields, groupings and
// defaults of the stock exporter's conversion: one ResourceSpans per
// resource and one ScopeSpans per instrumentation scope, in the order
// they first appear, and no trace state on links, which the stock
// exporter leaves out too. The stock exporter builds a tree of protobuf
// structs per span and then marshals it; writing the bytes directly
// spares both, which took a fifth of the CPU time of a process that did
// little but make spans.
//
// Every message is measured before it is written, so that its length
// prefix goes in front of it without moving it. Measuring also checks
// that every string is valid UTF-8, which protobuf requires: a span, scope
// or resource that holds an invalid string is replaced by a copy whose
// invalid bytes are U+FFFD (see utf8Fixer), so that it never costs the
// other spans of its request. It is safe for concurrent use.
type otlpEncoder struct {
	fix utf8Fixer
	// res is the last resource encoded: every span of a provider shares
	// one, which is checked and encoded once, not per request.
	res atomic.Pointer[encodedResource]
}

// encodedResource is a resource and its Resource message, without the
// length prefix, its strings made valid.
type encodedResource struct {
	from *resource.Resource
	body []byte
}

// Field numbers of the OTLP trace protocol (opentelemetry-proto v1).
const (
	fRequestResourceSpans = 1

	fResourceSpansResource   = 1
	fResourceSpansScopeSpans = 2
	fResourceSpansSchemaURL  = 3

	fResourceAttributes = 1

	fScopeSpansScope     = 1
	fScopeSpansSpans     = 2
	fScopeSpansSchemaURL = 3

	fScopeName       = 1
	fScopeVersion    = 2
	fScopeAttributes = 3

	fSpanTraceID         = 1
	fSpanSpanID          = 2
	fSpanTraceState      = 3
	fSpanParentSpanID    = 4
	fSpanName            = 5
	fSpanKind            = 6
	fSpanStart           = 7
	fSpanEnd             = 8
	fSpanAttributes      = 9
	fSpanDroppedAttrs    = 10
	fSpanEvents          = 11
	fSpanDroppedEvents   = 12
	fSpanLinks           = 13
	fSpanDroppedLinks    = 14
	fSpanStatus          = 15
	fSpanFlags           = 16
	fEventTime           = 1
	fEventName           = 2
	fEventAttributes     = 3
	fEventDroppedAttrs   = 4
	fLinkTraceID         = 1
	fLinkSpanID          = 2
	fLinkAttributes      = 4
	fLinkDroppedAttrs    = 5
	fLinkFlags           = 6
	fStatusMessage       = 2
	fStatusCode          = 3
	fKeyValueKey         = 1
	fKeyValueValue       = 2
	fAnyString           = 1
	fAnyBool             = 2
	fAnyInt              = 3
	fAnyDouble           = 4
	fAnyArray            = 5
	fAnyKvlist           = 6
	fAnyBytes            = 7
	fArrayValues         = 1
	fKvlistValues        = 1
	flagHasIsRemote      = 0x100 // SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK
	flagIsRemote         = 0x200 // SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK
	statusCodeOK         = 1
	statusCodeError      = 2
	maxSpanKind          = trace.SpanKindConsumer
	invalidAttributeText = "INVALID"
)

// spanGroup is the spans of one resource and scope, with the size of
// each span's message.
type spanGroup struct {
	res   *resource.Resource
	key   attribute.Distinct
	scope instrumentation.Scope
	spans []sdktrace.ReadOnlySpan
	sizes []int
}

// appendRequest appends to b the request that exports spans, nil spans
// left out, and returns it. It appends nothing when no span is left.
func (e *otlpEncoder) appendRequest(b []byte, spans []sdktrace.ReadOnlySpan) []byte {
	groups := e.group(spans)
	for i := 0; i < len(groups); {
		// The groups of one resource, which group put side by side.
		j := i + 1
		for j < len(groups) && groups[j].key == groups[i].key {
			j++
		}
		b = e.appendResourceSpans(b, groups[i:j])
		i = j
	}
	return b
}

// group sorts spans into groups of one resource and scope, measuring
// each span and replacing one with invalid strings by a valid copy. The
// groups of one resource are side by side, in the order of their first
// span. Resources are told apart by their attributes, as the stock
// exporter does.
func (e *otlpEncoder) group(spans []sdktrace.ReadOnlySpan) []*spanGroup {
	var groups []*spanGroup
	var index map[groupKey]*spanGroup
	var last *spanGroup
	for _, s := range spans {
		if s == nil {
			continue
		}
		res, scope := s.Resource(), s.InstrumentationScope()
		g := last
		// Spans of one group mostly come one after another: the index is
		// looked up only when the group changes.
		if g == nil || g.res != res || g.scope != scope {
			k := groupKey{res.Equivalent(), scope}
			if g = index[k]; g == nil {
				g = &spanGroup{res: res, key: k.res, scope: scope}
				if groups == nil {
					// Most batches are one group: size it for all.
					g.spans = make([]sdktrace.ReadOnlySpan, 0, len(spans))
					g.sizes = make([]int, 0, len(spans))
				}
				if index == nil {
					index = make(map[groupKey]*spanGroup)
				}
				index[k] = g
				groups = insertGroup(groups, g)
			}
			last = g
		}
		var m measure
		n := m.span(s)
		if m.invalid {
			s = e.fix.span(s)
			n = new(measure).span(s)
		}
		g.spans = append(g.spans, s)
		g.sizes = append(g.sizes, n)
	}
	return groups
}

// groupKey tells the groups of a request apart.
type groupKey struct {
	res   attribute.Distinct
	scope instrumentation.Scope
}

// insertGroup adds g after the last group of its resource, or at the end.
func insertGroup(groups []*spanGroup, g *spanGroup) []*spanGroup {
	at := len(groups)
	for i := len(groups) - 1; i >= 0; i-- {
		if groups[i].key == g.key {
			at = i + 1
			break
		}
	}
	groups = append(groups, nil)
	copy(groups[at+1:], groups[at:])
	groups[at] = g
	return groups
}

// appendResourceSpans appends the ResourceSpans of groups, which share
// one resource.
func (e *otlpEncoder) appendResourceSpans(b []byte, groups []*spanGroup) []byte {
	res := groups[0].res
	var resBody []byte
	size := 0
	if res != nil {
		resBody = e.resource(res)
		size += lenField(fResourceSpansResource, len(resBody))
	}
	scopes := make([]scopeMsg, len(groups))
	for i, g := range groups {
		scopes[i] = newScopeMsg(g)
		size += lenField(fResourceSpansScopeSpans, scopes[i].size)
	}
	schema := fixString(res.SchemaURL())
	size += strField(fResourceSpansSchemaURL, schema)

	b = appendLen(b, fRequestResourceSpans, size)
	if res != nil {
		b = appendLen(b, fResourceSpansResource, len(resBody))
		b = append(b, resBody...)
	}
	for i := range scopes {
		b = scopes[i].append(b)
	}
	return appendStr(b, fResourceSpansSchemaURL, schema)
}

// resource returns the Resource message of r, without its length prefix.
func (e *otlpEncoder) resource(r *resource.Resource) []byte {
	if last := e.res.Load(); last != nil && last.from == r {
		return last.body
	}
	fixed := e.fix.resource(r)
	var body []byte
	for it := fixed.Iter(); it.Next(); {
		body = appendKeyValue(body, fResourceAttributes, it.Attribute())
	}
	e.res.Store(&encodedResource{from: r, body: body})
	return body
}

// scopeMsg is a ScopeSpans message measured and ready to be appended.
type scopeMsg struct {
	g     *spanGroup
	scope instrumentation.Scope // made valid
	attrs []attribute.KeyValue
	// scopeSize is the size of the InstrumentationScope message, -1 when
	// the scope is left out, as the stock exporter leaves out a zero one.
	scopeSize int
	size      int
}

func newScopeMsg(g *spanGroup) scopeMsg {
	sm := scopeMsg{g: g, scopeSize: -1}
	if g.scope != (instrumentation.Scope{}) {
		sc := g.scope
		sm.scope = instrumentation.Scope{Name: fixString(sc.Name), Version: fixString(sc.Version), SchemaURL: fixString(sc.SchemaURL)}
		sm.attrs = fixAttrs(sc.Attributes.ToSlice())
		n := strField(fScopeName, sm.scope.Name) + strField(fScopeVersion, sm.scope.Version)
		for _, kv := range sm.attrs {
			n += lenField(fScopeAttributes, keyValueSize(kv))
		}
		sm.scopeSize = n
		sm.size += lenField(fScopeSpansScope, n)
	}
	for _, n := range g.sizes {
		sm.size += lenField(fScopeSpansSpans, n)
	}
	sm.size += strField(fScopeSpansSchemaURL, sm.scope.SchemaURL)
	return sm
}

func (sm *scopeMsg) append(b []byte) []byte {
	b = appendLen(b, fResourceSpansScopeSpans, sm.size)
	if sm.scopeSize >= 0 {
		b = appendLen(b, fScopeSpansScope, sm.scopeSize)
		b = appendStr(b, fScopeName, sm.scope.Name)
		b = appendStr(b, fScopeVersion, sm.scope.Version)
		for _, kv := range sm.attrs {
			b = appendKeyValue(b, fScopeAttributes, kv)
		}
	}
	for i, s := range sm.g.spans {
		b = appendSpan(b, s, sm.g.sizes[i])
	}
	return appendStr(b, fScopeSpansSchemaURL, sm.scope.SchemaURL)
}

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

// lenField is the size of a length-delimited field of n bytes.
func lenField(num protowire.Number, n int) int {
	return protowire.SizeTag(num) + protowire.SizeBytes(n)
}

// strField is the size of a string field of s, left out when empty.
func strField(num protowire.Number, s string) int {
	if s == "" {
		return 0
	}
	return lenField(num, len(s))
}

func varintField(num protowire.Number, v uint64) int {
	if v == 0 {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeVarint(v)
}

func fixed64Field(num protowire.Number, v uint64) int {
	if v == 0 {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeFixed64()
}

// appendLen appends the tag and length prefix of a length-delimited
// field of n bytes.
func appendLen(b []byte, num protowire.Number, n int) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendVarint(b, uint64(n))
}

func appendStr(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendVarintField(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendFixed64Field(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, v)
}

// unixNano is a time for the wire: a time before 1970 is 0.
func unixNano(ns int64) uint64 { return uint64(max(ns, 0)) }

func clampUint32(v int) uint64 { return uint64(min(max(v, 0), math.MaxUint32)) }

func spanKind(k trace.SpanKind) uint64 {
	if k < trace.SpanKindInternal || k > maxSpanKind {
		return 0 // SPAN_KIND_UNSPECIFIED
	}
	// The OTLP numbers are the API's.
	return uint64(k)
}

func statusCode(c codes.Code) uint64 {
	switch c {
	case codes.Ok:
		return statusCodeOK
	case codes.Error:
		return statusCodeError
	}
	return 0
}

// spanFlags are the W3C trace flags with whether the parent (or linked
// span) is remote.
func spanFlags(tf trace.TraceFlags, parent trace.SpanContext) uint32 {
	f := uint32(tf) | flagHasIsRemote
	if parent.IsRemote() {
		f |= flagIsRemote
	}
	return f
}
