package capture

import (
	"encoding/base64"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// any writes a dynamic value, taking the common dynamic types without
// reflection.
func (s *state) any(x any) {
	if s.stopped() {
		return
	}
	switch x := x.(type) {
	case nil:
		s.writeString("null")
	case string:
		s.text(x, true)
	case bool:
		s.bool(x)
	case float64:
		s.float(x, 64)
	case float32:
		s.float(float64(x), 32)
	case int:
		s.int64(int64(x))
	case int64:
		s.int64(x)
	case int32:
		s.int64(int64(x))
	case uint64:
		s.uint64(x)
	case uint:
		s.uint64(uint64(x))
	case map[string]any:
		s.mapAny(x)
	case []any:
		s.sliceAny(x)
	case time.Time:
		s.time(x)
	default:
		// x is already boxed: hand it to go-json as it is rather than
		// through reflect.Value.Interface, which would copy it.
		ti := infoFor(reflect.TypeOf(x))
		if s.directOK(ti) && s.fitsAny(x, ti) && s.encode(x) {
			return
		}
		s.walk(reflect.ValueOf(x), ti)
	}
}

// value writes v, handing it to go-json when its type is direct: go-json
// is faster, and a direct type cannot lead back to anything on the path.
func (s *state) value(v reflect.Value) {
	if s.stopped() {
		return
	}
	if !v.IsValid() {
		s.writeString("null")
		return
	}
	ti := infoFor(v.Type())
	if s.directOK(ti) && v.CanInterface() && s.encodeValue(v, ti) {
		return
	}
	s.walk(v, ti)
}

// encodeValue encodes v, of the direct type ti, with go-json if it fits,
// and reports whether it did.
func (s *state) encodeValue(v reflect.Value, ti *typeInfo) bool {
	room := overshoot * (s.limit - len(s.buf))
	if !v.CanAddr() {
		x := v.Interface()
		return estimateAny(x, ti, room, &s.names) <= room && s.encode(x)
	}
	p := v.Addr()
	if ti.estimate(p.UnsafePointer(), room, &s.names) > room {
		return false
	}
	if ti.kind == reflect.Pointer {
		return s.encode(v.Interface())
	}
	return s.encode(p.Interface()) // the pointer needs no copy of the value
}

// fitsAny reports whether x, of the direct type ti, is estimated to take
// no more than overshoot times the output left.
func (s *state) fitsAny(x any, ti *typeInfo) bool {
	room := overshoot * (s.limit - len(s.buf))
	return estimateAny(x, ti, room, &s.names) <= room
}

// overshoot is how much more than the room left a value handed to go-json
// may be estimated to take. go-json encodes a value whole before it is
// cut, at a cost that grows with the value (fifty documents of a megabyte
// are fifty megabytes of JSON, two million struct{}{} megabytes of "{}"),
// where the walk stops within its budget; but a value a little over the
// room is encoded whole and cut quicker than it is walked.
const overshoot = 2

// directOK reports whether a value of type ti is best handed to go-json:
// a direct type that fits in the depth left, and worth a call (scalars
// are quicker written here). Once the output is full, values are walked
// instead, so that counting what is left out stays within its budget.
func (s *state) directOK(ti *typeInfo) bool {
	if !ti.direct || s.over > 0 || s.depth+ti.depth > s.maxDepth || s.walkOnly || !s.names.allowDirect(ti) {
		return false
	}
	switch ti.kind {
	case reflect.Struct, reflect.Slice, reflect.Array, reflect.Map, reflect.Pointer:
		return true
	}
	return false
}

// encode encodes x with go-json. It reports false, having written nothing,
// if go-json fails (a NaN) or panics: the caller then walks the value
// itself and puts placeholders where go-json gave up.
func (s *state) encode(x any) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return s.jenc.Encode(x) == nil
}

// walk writes v by reflection.
func (s *state) walk(v reflect.Value, ti *typeInfo) {
	switch ti.kind {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		if v.IsNil() {
			s.writeString("null")
			return
		}
	}
	if ti.methods && s.methods(v, ti) {
		return
	}
	switch ti.kind {
	case reflect.Bool:
		s.bool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s.int64(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		s.uint64(v.Uint())
	case reflect.Float32:
		s.float(v.Float(), 32)
	case reflect.Float64:
		s.float(v.Float(), 64)
	case reflect.String:
		if ti.isNumber {
			s.number(v.String())
			return
		}
		s.text(v.String(), true)
	case reflect.Complex64:
		s.text(strconv.FormatComplex(v.Complex(), 'g', -1, 64), true)
	case reflect.Complex128:
		s.text(strconv.FormatComplex(v.Complex(), 'g', -1, 128), true)
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		s.writeString(ti.placeholder)
	case reflect.Interface:
		if s.level >= s.maxLevel {
			s.writeString(`"<max depth ` + strconv.Itoa(s.maxDepth) + `>"`)
			return
		}
		s.level++
		if v.CanInterface() {
			s.any(v.Interface())
		} else {
			s.value(v.Elem())
		}
		s.level--
	case reflect.Pointer:
		if s.push(ref{v.Pointer(), 0, v.Type()}, ti.cycle) {
			s.value(v.Elem())
			s.pop()
		}
	case reflect.Map:
		if v.CanInterface() {
			switch m := v.Interface().(type) {
			case map[string]any:
				s.mapAny(m)
				return
			case map[string]string:
				mapOf(s, m, (*state).stringValue)
				return
			case map[string]int:
				mapOf(s, m, (*state).intValue)
				return
			case map[string]float64:
				mapOf(s, m, (*state).float64Value)
				return
			}
		}
		s.mapValue(v, ti)
	case reflect.Slice:
		switch {
		case ti.isBytes:
			s.bytes(v.Bytes())
		case v.Type() == sliceAnyType && v.CanInterface():
			s.sliceAny(v.Interface().([]any))
		default:
			s.sliceValue(v, ti)
		}
	case reflect.Array:
		s.arrayValue(v)
	case reflect.Struct:
		s.structValue(v, ti)
	default:
		s.writeString("null")
	}
}

// number writes a json.Number as the literal it holds, as encoding/json
// does, or as a string if it holds something else.
func (s *state) number(n string) {
	switch {
	case n == "":
		s.writeByte('0')
	case isValidNumber(n):
		s.writeString(n)
	default:
		s.text(n, true)
	}
}

// bytes writes a byte slice as text if it is UTF-8, else as standard
// base64 like encoding/json, encoding no more than fits. A slice longer
// than the output and the count can take is judged by the part they take.
func (s *state) bytes(b []byte) {
	probe := b
	if n := s.limit + s.countBytes; len(probe) > n {
		// Cut before a rune that the cut would split, which would read
		// as invalid.
		probe = probe[:runeCut(unsafe.String(unsafe.SliceData(probe), len(probe)), n)]
	}
	if utf8.Valid(probe) {
		s.text(unsafe.String(unsafe.SliceData(b), len(b)), true)
		return
	}
	enc := base64.StdEncoding
	total := enc.EncodedLen(len(b))
	s.writeByte('"')
	if room := s.limit - len(s.buf); total <= room {
		s.buf = enc.AppendEncode(s.buf, b)
	} else {
		// Whole groups of 3 bytes encode to 4 characters each, so the
		// rest can be counted without encoding it.
		k := min(len(b), (room/4+1)*3)
		s.buf = enc.AppendEncode(s.buf, b[:k])
		s.trim()
		s.over += total - enc.EncodedLen(k)
	}
	s.writeByte('"')
}

func (s *state) structValue(v reflect.Value, ti *typeInfo) {
	if !s.open('{') {
		return
	}
	first := true
	for i := range ti.fields {
		f := &ti.fields[i]
		fv, ok := fieldByIndex(v, f.index)
		if !ok || f.omitEmpty && isEmptyValue(fv) || f.omitZero && isZero(fv) {
			continue
		}
		if !first {
			s.writeByte(',')
		}
		first = false
		s.writeString(f.key)
		if s.names.redactsField(f) {
			s.writeString(redactedJSON)
			continue
		}
		if f.quoted {
			s.quoted(fv)
		} else {
			s.value(fv)
		}
		if s.abort {
			return
		}
	}
	s.close('}')
}

// fieldByIndex is v.FieldByIndex that reports false instead of panicking
// at a nil embedded pointer, whose fields encoding/json leaves out.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return v, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// quoted writes a scalar field tagged ",string": its JSON text inside a
// JSON string. It goes by kind alone, as encoding/json does, so that no
// method writes a string inside the string.
func (s *state) quoted(v reflect.Value) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			s.writeString("null")
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		s.text(`"`+escapeString(v.String())+`"`, true)
		return
	case reflect.Float32, reflect.Float64:
		if p, ok := floatPlaceholder(v.Float()); ok {
			s.writeString(p)
			return
		}
	}
	var a [small]byte
	b := append(a[:0], '"')
	switch v.Kind() {
	case reflect.Bool:
		b = strconv.AppendBool(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b = strconv.AppendInt(b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		b = strconv.AppendUint(b, v.Uint(), 10)
	case reflect.Float32:
		b = appendFloat(b, v.Float(), 32)
	case reflect.Float64:
		b = appendFloat(b, v.Float(), 64)
	}
	s.writeBytes(append(b, '"'))
}

func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero decides ",omitzero" as encoding/json does: by the type's IsZero
// method if it has one, else by the zero value. A panicking IsZero keeps
// the field, so that its value shows.
func isZero(v reflect.Value) bool {
	ti := infoFor(v.Type())
	if !v.CanInterface() || !ti.isZeroer && !ti.isZeroerAddr {
		return v.IsZero()
	}
	if ti.kind == reflect.Pointer && v.IsNil() {
		return true
	}
	if ti.isZeroerAddr {
		if !v.CanAddr() {
			c := reflect.New(v.Type()).Elem()
			c.Set(v)
			v = c
		}
		v = v.Addr()
	}
	z, ok := callIsZero(v.Interface().(interface{ IsZero() bool }))
	return ok && z
}

func (s *state) arrayValue(v reflect.Value) {
	if !s.open('[') {
		return
	}
	for i := range v.Len() {
		if i > 0 {
			s.writeByte(',')
		}
		s.value(v.Index(i))
		if s.abort {
			return
		}
	}
	s.close(']')
}

func (s *state) sliceValue(v reflect.Value, ti *typeInfo) {
	n := v.Len()
	if !s.push(ref{v.Pointer(), n, v.Type()}, ti.cycle) {
		return
	}
	defer s.pop()
	if !s.open('[') {
		return
	}
	for i := range n {
		if i > 0 {
			s.writeByte(',')
		}
		s.value(v.Index(i))
		if s.abort {
			return
		}
	}
	s.close(']')
}

func (s *state) sliceAny(x []any) {
	if x == nil {
		s.writeString("null")
		return
	}
	if !s.push(ref{uintptr(unsafe.Pointer(unsafe.SliceData(x))), len(x), sliceAnyType}, sliceAnyCycle) {
		return
	}
	defer s.pop()
	if !s.open('[') {
		return
	}
	for i, e := range x {
		if i > 0 {
			s.writeByte(',')
		}
		s.any(e)
		if s.abort {
			return
		}
	}
	s.close(']')
}

var (
	sliceAnyCycle = `"<cycle ` + sliceAnyType.String() + `>"`
	mapAnyCycle   = `"<cycle ` + mapAnyType.String() + `>"`
)
