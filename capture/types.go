package capture

import (
	"cmp"
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	json "github.com/goccy/go-json"
)

var (
	timeType          = reflect.TypeFor[time.Time]()
	numberType        = reflect.TypeFor[json.Number]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	errorType         = reflect.TypeFor[error]()
	stringerType      = reflect.TypeFor[fmt.Stringer]()
	isZeroerType      = reflect.TypeFor[interface{ IsZero() bool }]()
	mapAnyType        = reflect.TypeFor[map[string]any]()
	sliceAnyType      = reflect.TypeFor[[]any]()
)

// typeInfo is what the encoder needs to know about a type, computed once.
type typeInfo struct {
	kind reflect.Kind

	// direct means go-json can encode every value of the type on its own:
	// the type cannot reach itself (so no cycles), holds no interfaces, and
	// has nothing go-json rejects or that we render differently. float64
	// is allowed: go-json reports NaN and infinities as an error, and the
	// caller then walks the value itself.
	direct bool
	// depth is the most nested JSON objects and arrays a value of a direct
	// type can produce; a direct value is handed to go-json only if this
	// fits under the depth limit.
	depth int
	// custom means go-json's output may contain text from a user's
	// MarshalJSON, which go-json checks only loosely (it lets "00" and
	// invalid UTF-8 through), so the output must be checked.
	custom bool
	// addrMethods means a value of the type holds, not behind a pointer,
	// a value whose MarshalJSON or MarshalText has a pointer receiver.
	addrMethods bool

	isTime, isNumber, isBytes bool
	// The ...Addr flags mean only the pointer type has the method, which
	// encoding/json uses only when the value is addressable.
	marshalJSON, marshalJSONAddr bool
	marshalText, marshalTextAddr bool
	isError, isErrorAddr         bool
	isZeroer, isZeroerAddr       bool
	methods                      bool // any of the above except isZeroer

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
}

// infos caches *typeInfo by reflect.Type for the life of the process, as
// encoding/json and go-json cache their encoders: the set of types a
// program encodes is fixed by its code.
var infos sync.Map

func infoFor(t reflect.Type) *typeInfo {
	if ti, ok := infos.Load(t); ok {
		return ti.(*typeInfo)
	}
	b := builder{busy: map[reflect.Type]bool{}}
	return b.info(t)
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
	delete(b.busy, t)
	// A type that reaches a busy type is itself recursive, so its result
	// does not depend on where the walk started and can be cached.
	actual, _ := infos.LoadOrStore(t, ti)
	return actual.(*typeInfo)
}

func newTypeInfo(t reflect.Type) *typeInfo {
	ti := &typeInfo{kind: t.Kind()}
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
	}
	ti.methods = ti.isTime || ti.marshalJSON || ti.marshalJSONAddr || ti.marshalText ||
		ti.marshalTextAddr || ti.isError || ti.isErrorAddr
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

// classify sets direct, depth and custom.
func (b *builder) classify(ti *typeInfo, t reflect.Type) {
	ti.addrMethods = ti.marshalJSONAddr || ti.marshalTextAddr
	switch {
	case ti.isTime:
		ti.direct = true
		return
	case ti.isError || ti.isErrorAddr:
		return
	case ti.isNumber:
		// go-json writes some invalid numbers, such as "00", as they are.
		return
	case pointerShaped(t) && (t.Kind() == reflect.Struct || t.Kind() == reflect.Array):
		// go-json mistakes a nil pointer inside such a value for a nil
		// value: it writes null for struct{ p *int } and skips its
		// MarshalJSON or MarshalText.
		return
	case ti.marshalJSON || ti.marshalText:
		ti.direct, ti.custom = true, ti.marshalJSON
		return
	}
	// A method on the pointer only is used for addressable values; go-json
	// encodes the others by kind, so the kind must be safe too.
	ti.custom = ti.marshalJSONAddr
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
		if ei := b.info(t.Elem()); ei != nil && ei.addrMethods {
			// go-json treats the elements of an array as addressable
			// even when the array is not, and calls pointer methods
			// that encoding/json would not.
			ti.addrMethods = true
			return
		}
		b.from(ti, t.Elem(), 1)
	case reflect.Slice:
		if !ti.isBytes {
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
	ti.custom = ti.custom || ei.custom
}

func (b *builder) classifyStruct(ti *typeInfo, t reflect.Type) {
	depth := 1
	custom := ti.custom
	for i := range t.NumField() {
		sf := t.Field(i)
		if ignoredByGoJSON(sf) {
			continue
		}
		if strings.Contains(sf.Tag.Get("json"), ",omitzero") {
			return // go-json does not know omitzero; the walker does
		}
		fi := b.info(sf.Type)
		if fi == nil || !fi.direct {
			return
		}
		ti.addrMethods = ti.addrMethods || fi.addrMethods
		d := fi.depth + 1
		if sf.Anonymous && !tagged(sf) {
			d = fi.depth // flattened into this object
		}
		depth = max(depth, d)
		custom = custom || fi.custom
	}
	ti.direct, ti.depth, ti.custom = true, depth, custom
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

// ignoredByGoJSON mirrors go-json's choice of struct fields, so that the
// fields checked here are the ones go-json will encode.
func ignoredByGoJSON(sf reflect.StructField) bool {
	if !sf.IsExported() {
		if !sf.Anonymous {
			return true
		}
		t := sf.Type
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return true
		}
	}
	return sf.Tag.Get("json") == "-"
}

func tagged(sf reflect.StructField) bool {
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	return isValidTag(name)
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

// typeFields returns the fields encoding/json would encode for the struct
// type t, in order, with its rules for embedded structs and name conflicts.
func typeFields(t reflect.Type) []field {
	type queued struct {
		typ   reflect.Type
		index []int
	}
	var (
		fields    []field
		current   []queued
		next      = []queued{{typ: t}}
		count     map[reflect.Type]int
		nextCount = map[reflect.Type]int{}
		visited   = map[reflect.Type]bool{}
	)
	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true
			for i := range f.typ.NumField() {
				sf := f.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !isValidTag(name) {
					name = ""
				}
				index := make([]int, len(f.index)+1)
				copy(index, f.index)
				index[len(f.index)] = i

				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					fl := field{
						name:      name,
						tagged:    name != "",
						index:     index,
						typ:       sf.Type,
						omitEmpty: hasOption(opts, "omitempty"),
						omitZero:  hasOption(opts, "omitzero"),
						quoted:    hasOption(opts, "string") && quotable(ft),
					}
					if fl.name == "" {
						fl.name = sf.Name
					}
					fl.key = `"` + escapeString(fl.name) + `":`
					fields = append(fields, fl)
					if count[f.typ] > 1 {
						// Two copies at the same level cancel each
						// other out in the dominance step below.
						fields = append(fields, fields[len(fields)-1])
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, queued{typ: ft, index: index})
				}
			}
		}
	}

	slices.SortStableFunc(fields, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.index), len(b.index)); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	out := fields[:0]
	for advance, i := 0, 0; i < len(fields); i += advance {
		fi := fields[i]
		for advance = 1; i+advance < len(fields); advance++ {
			if fields[i+advance].name != fi.name {
				break
			}
		}
		if advance == 1 {
			out = append(out, fi)
			continue
		}
		if dominant, ok := dominantField(fields[i : i+advance]); ok {
			out = append(out, dominant)
		}
	}
	fields = out
	slices.SortFunc(fields, func(a, b field) int { return slices.Compare(a.index, b.index) })
	return fields
}

// dominantField picks the field that wins among fields of one name, sorted
// by depth and then tag; ok is false if none wins and all are dropped.
func dominantField(fields []field) (field, bool) {
	if len(fields) > 1 && len(fields[0].index) == len(fields[1].index) && fields[0].tagged == fields[1].tagged {
		return field{}, false
	}
	return fields[0], true
}

func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// quotable reports whether the ",string" option applies to a field of type
// t: encoding/json honours it for scalars only, and not for types with
// their own marshalling.
func quotable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
	default:
		return false
	}
	pt := reflect.PointerTo(t)
	return !pt.Implements(jsonMarshalerType) && !pt.Implements(textMarshalerType)
}

func isValidTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
			// Backslash and quote are reserved; other punctuation is
			// allowed in a name.
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// escapeString returns s escaped for the inside of a JSON string.
func escapeString(s string) string {
	return string(appendEscaped(nil, s))
}
