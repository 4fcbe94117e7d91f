package capture

import (
	"encoding"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"
)

var (
	timeType          = reflect.TypeFor[time.Time]()
	numberType        = reflect.TypeFor[json.Number]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	errorType         = reflect.TypeFor[error]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
	mapAnyType        = reflect.TypeFor[map[string]any]()
	sliceAnyType      = reflect.TypeFor[[]any]()
)

// typeInfo is what the encoder needs to know about a type, computed once.
type typeInfo struct {
	typ  reflect.Type
	kind reflect.Kind

	// direct means go-json can encode every value of the type on its own:
	// the type cannot reach itself (so no cycles), holds no interfaces, has
	// nothing go-json rejects or that we render differently, and nothing
	// whose output only a method knows (MarshalJSON, MarshalText), so that
	// estimate can tell the size of a value before go-json writes all of
	// it. float64 is allowed: go-json reports NaN and infinities as an
	// error, and the caller then walks the value itself.
	direct bool
	// depth is the most nested JSON objects and arrays a value of a direct
	// type can produce; a direct value is handed to go-json only if this
	// fits under the depth limit.
	depth int
	// size is what estimate needs, for a direct type.
	size *sizing

	isTime, isNumber, isBytes bool
	// The ...Addr flags mean only the pointer type has the method, which
	// encoding/json uses only when the value is addressable.
	marshalJSON, marshalJSONAddr bool
	marshalText, marshalTextAddr bool
	isError, isErrorAddr         bool
	isZeroer, isZeroerAddr       bool
	// special marks the types encoded with credentials redacted, and
	// logValuer those that redact themselves with slog.LogValuer, as slog
	// calls it: on the value itself. Either wins over the methods above.
	special   special
	logValuer bool
	redacts   bool // special or logValuer
	methods   bool // any of the above except isZeroer

	// placeholder is the text for values of kinds JSON cannot hold.
	placeholder string
	// cycle is the placeholder for a value of this (pointer, map or slice)
	// type met again on its own path.
	cycle  string
	fields []field // for structs
}

// field is an encoded struct field, found as encoding/json finds them.
type field struct {
	name      string
	key       string // `"name":`, escaped
	index     []int
	typ       reflect.Type
	tagged    bool
	omitEmpty bool
	omitZero  bool
	quoted    bool // the ",string" option applies

	// For redaction: the JSON name and the Go name normalised (goNorm
	// empty if the same), whether the default list has either, and the
	// langfuse tag.
	norm, goNorm string
	sensitive    bool
	tag          fieldTag
}

// infos caches *typeInfo by reflect.Type for the life of the process, as
// encoding/json and go-json cache their encoders: the set of types a
// program encodes is fixed by its code.
var infos sync.Map

// recent is a small front for infos, indexed by the type's address: a hit
// costs two loads where sync.Map hashes an interface, which matters for
// small values. Colliding types just replace each other.
var recent [256]atomic.Pointer[typeInfo]

func infoFor(t reflect.Type) *typeInfo {
	slot := &recent[reflect.ValueOf(t).Pointer()>>4%uintptr(len(recent))]
	if ti := slot.Load(); ti != nil && ti.typ == t {
		return ti
	}
	var ti *typeInfo
	if cached, ok := infos.Load(t); ok {
		ti = cached.(*typeInfo)
	} else {
		b := builder{busy: map[reflect.Type]bool{}}
		ti = b.info(t)
	}
	slot.Store(ti)
	return ti
}

// builder computes typeInfo for a type and the types it contains.
type builder struct {
	busy map[reflect.Type]bool // types being computed on the current path
}

// info returns the typeInfo for t, or nil if t is being computed further
// up the path, which means t contains itself.
func (b *builder) info(t reflect.Type) *typeInfo {
	if ti, ok := infos.Load(t); ok {
		return ti.(*typeInfo)
	}
	if b.busy[t] {
		return nil
	}
	b.busy[t] = true
	ti := newTypeInfo(t)
	b.classify(ti, t)
	if ti.direct {
		ti.size = b.sizing(ti)
	}
	delete(b.busy, t)
	// A type that reaches a busy type is itself recursive, so its result
	// does not depend on where the walk started and can be cached.
	actual, _ := infos.LoadOrStore(t, ti)
	return actual.(*typeInfo)
}

func newTypeInfo(t reflect.Type) *typeInfo {
	ti := &typeInfo{typ: t, kind: t.Kind()}
	ti.isTime = t == timeType
	ti.isNumber = t == numberType
	// Methods of an interface type belong to its dynamic value, which is
	// looked at when the value is walked.
	if t.Kind() != reflect.Interface {
		ptr := t
		if t.Kind() != reflect.Pointer {
			ptr = reflect.PointerTo(t)
		}
		ti.marshalJSON = t.Implements(jsonMarshalerType)
		ti.marshalJSONAddr = !ti.marshalJSON && ptr.Implements(jsonMarshalerType)
		ti.marshalText = t.Implements(textMarshalerType)
		ti.marshalTextAddr = !ti.marshalText && ptr.Implements(textMarshalerType)
		ti.isError = t.Implements(errorType)
		ti.isErrorAddr = !ti.isError && ptr.Implements(errorType)
		ti.isZeroer = t.Implements(isZeroerType)
		ti.isZeroerAddr = !ti.isZeroer && ptr.Implements(isZeroerType)
		ti.logValuer = t.Implements(logValuerType)
	}
	ti.special = specialOf(t)
	ti.redacts = ti.special != notSpecial || ti.logValuer
	ti.methods = ti.isTime || ti.marshalJSON || ti.marshalJSONAddr || ti.marshalText ||
		ti.marshalTextAddr || ti.isError || ti.isErrorAddr || ti.redacts
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		ti.placeholder = `"<` + escapeString(t.String()) + `>"`
	case reflect.Pointer, reflect.Map, reflect.Slice:
		ti.cycle = `"<cycle ` + escapeString(t.String()) + `>"`
	}
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
		// encoding/json's rule for byte slices: the element type must not
		// marshal itself.
		pe := reflect.PointerTo(t.Elem())
		ti.isBytes = !pe.Implements(jsonMarshalerType) && !pe.Implements(textMarshalerType)
	}
	if t.Kind() == reflect.Struct {
		ti.fields = typeFields(t)
	}
	return ti
}

// classify sets direct and depth.
func (b *builder) classify(ti *typeInfo, t reflect.Type) {
	switch {
	case ti.redacts:
		// go-json would write the value as it is.
		return
	case ti.isTime:
		ti.direct = true
		return
	case ti.isError || ti.isErrorAddr:
		return
	case ti.isNumber:
		// go-json writes some invalid numbers, such as "00", as they are.
		return
	case ti.marshalJSON || ti.marshalJSONAddr || ti.marshalText || ti.marshalTextAddr:
		// What the method returns can be of any size: the walker calls
		// it and keeps what fits, where go-json would copy all of it.
		return
	case pointerShaped(t) && (t.Kind() == reflect.Struct || t.Kind() == reflect.Array):
		// go-json mistakes a nil pointer inside such a value for a nil
		// value: it writes null for struct{ p *int }.
		return
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float64:
		ti.direct = true
	case reflect.Float32:
		// go-json writes a float32 NaN or infinity as a bare word,
		// which is not JSON, instead of failing as it does for float64.
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Pointer {
			// go-json writes null for a **T whose *T has MarshalJSON.
			return
		}
		b.from(ti, t.Elem(), 0)
	case reflect.Array:
		b.from(ti, t.Elem(), 1)
	case reflect.Slice:
		if !ti.isBytes {
			// go-json writes a []byte as base64; it is written as
			// text here when it is UTF-8.
			b.from(ti, t.Elem(), 1)
		}
	case reflect.Map:
		if !plainMapKey(t.Key()) {
			return
		}
		b.from(ti, t.Elem(), 1)
	case reflect.Struct:
		b.classifyStruct(ti, t)
	}
}

// from makes ti as direct as the type it contains, add levels deeper.
func (b *builder) from(ti *typeInfo, elem reflect.Type, add int) {
	ei := b.info(elem)
	if ei == nil || !ei.direct {
		return
	}
	ti.direct = true
	ti.depth = ei.depth + add
}

func (b *builder) classifyStruct(ti *typeInfo, t reflect.Type) {
	for _, f := range ti.fields {
		if f.tag == tagRedact || f.tag == tagNone && f.sensitive {
			return // go-json would write the value; the walker redacts it
		}
	}
	depth := 1
	for i := range t.NumField() {
		sf := t.Field(i)
		if ignoredByGoJSON(sf) {
			continue
		}
		if _, opts, _ := strings.Cut(sf.Tag.Get("json"), ","); hasOption(opts, "omitzero") {
			return // go-json does not know omitzero; the walker does
		}
		fi := b.info(sf.Type)
		if fi == nil || !fi.direct {
			return
		}
		d := fi.depth + 1
		if sf.Anonymous && !tagged(sf) {
			d = fi.depth // flattened into this object
		}
		depth = max(depth, d)
	}
	ti.direct, ti.depth = true, depth
}

// pointerShaped reports whether Go stores values of type t in an interface
// as the pointer itself, by the compiler's rule.
func pointerShaped(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return t.Len() == 1 && pointerShaped(t.Elem())
	case reflect.Struct:
		return t.NumField() == 1 && pointerShaped(t.Field(0).Type)
	}
	return false
}

// plainMapKey reports whether go-json and encoding/json agree on keys of
// type t without calling any method.
func plainMapKey(t reflect.Type) bool {
	if t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType) {
		return false
	}
	switch t.Kind() {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// escapeString returns s escaped for the inside of a JSON string.
func escapeString(s string) string {
	return string(appendEscaped(nil, s))
}
