package capture

import (
	"reflect"
	"slices"
	"unsafe"
)

// The estimate of a value's size decides whether go-json may encode it
// whole: go-json writes all of a value into its buffer before anything can
// be cut, so only a value known to be about the size of the room left is
// handed to it, and the walker, which stops at the limit, takes the rest.
//
// The estimate reads the value through unsafe pointers, by offsets
// computed once per type, as go-json itself does: done by reflection it
// would cost as much as the encoding it saves.

// maxTimeLen is the most a time.Time takes as RFC 3339 with nanoseconds
// in a JSON string, for years of up to six digits.
const maxTimeLen = len(`"-123456-01-02T15:04:05.999999999-07:00"`)

// maxFloatLen is the most appendFloat writes for a finite float64, as in
// -1.2345678901234567e-300.
const maxFloatLen = 24

// sizing is what the estimate needs to know of a direct type.
type sizing struct {
	// maxLen is the most bytes go-json writes for a value of the type,
	// or 0 if there is no such bound (a string, slice or map inside).
	maxLen   int
	elem     *typeInfo // of a pointer, slice, array or map
	key      *typeInfo // of a map
	elemSize uintptr   // of a slice or array
	fields   []fieldSizing
	// names are the normalised names of the fields in the type, at any
	// depth, for Options.RedactNames to be checked against.
	names []string
}

// fieldSizing locates a struct field that go-json writes.
type fieldSizing struct {
	// steps are offsets: the field is at p+steps[0] if there is one
	// step, else a pointer (to an embedded struct) is read there, and
	// the next offset is from where it points, and so on; a nil
	// pointer means the field is not written.
	steps  []uintptr
	keyLen int // `"name":`, with the quotes of the ",string" option
	info   *typeInfo

	norm, goNorm string // as in field
}

// eface is the layout of an interface value with no methods.
type eface struct {
	typ, data unsafe.Pointer
}

// estimateAny returns estimate for x, of the direct type ti.
func estimateAny(x any, ti *typeInfo, room int, ns *names) int {
	switch ti.kind {
	case reflect.Pointer:
		// Stored in the interface as itself.
		p := (*eface)(unsafe.Pointer(&x)).data
		if p == nil {
			return len("null")
		}
		return ti.size.elem.estimate(p, room, ns)
	case reflect.Map:
		return estimateMap(reflect.ValueOf(x), ti, room, ns)
	}
	// A direct type of any other kind is stored in the interface behind
	// a pointer: classify leaves structs and arrays that the compiler
	// would store as a pointer out of the direct types.
	return ti.estimate((*eface)(unsafe.Pointer(&x)).data, room, ns)
}

// estimate returns about how many bytes go-json writes for the value at
// p, of the direct type ti, or some number over room as soon as the
// estimate passes room. It looks at no more of the value than room
// allows: every value it visits adds a byte at least, so it stops after
// room values or fewer, and it reads the length of a string, never its
// bytes.
//
// A number counts as long as it can be, and a string or a map key as its
// length and two quotes: escapes make go-json's output of a string longer,
// by six times at most (control characters, as \u0001). The output of a
// value whose estimate fits the room is thus at most six times the room.
//
// A map with a key whose value is redacted by ns counts as over the room:
// go-json would write it as it is, the walker redacts it.
func (ti *typeInfo) estimate(p unsafe.Pointer, room int, ns *names) int {
	sz := ti.size
	if sz.maxLen > 0 && sz.maxLen <= room {
		return sz.maxLen
	}
	switch ti.kind {
	case reflect.Bool:
		return len("false")
	case reflect.Int:
		return intLen(int64(*(*int)(p)))
	case reflect.Int8:
		return intLen(int64(*(*int8)(p)))
	case reflect.Int16:
		return intLen(int64(*(*int16)(p)))
	case reflect.Int32:
		return intLen(int64(*(*int32)(p)))
	case reflect.Int64:
		return intLen(*(*int64)(p))
	case reflect.Uint:
		return digits(uint64(*(*uint)(p)))
	case reflect.Uint8:
		return digits(uint64(*(*uint8)(p)))
	case reflect.Uint16:
		return digits(uint64(*(*uint16)(p)))
	case reflect.Uint32:
		return digits(uint64(*(*uint32)(p)))
	case reflect.Uint64:
		return digits(*(*uint64)(p))
	case reflect.Uintptr:
		return digits(uint64(*(*uintptr)(p)))
	case reflect.Float64:
		return maxFloatLen
	case reflect.String:
		return len(*(*string)(p)) + 2
	case reflect.Pointer:
		q := *(*unsafe.Pointer)(p)
		if q == nil {
			return len("null")
		}
		return sz.elem.estimate(q, room, ns)
	case reflect.Slice:
		s := *(*[]byte)(p) // the header of any slice reads the same
		if unsafe.SliceData(s) == nil {
			return len("null")
		}
		return sz.estimateList(unsafe.Pointer(unsafe.SliceData(s)), len(s), room, ns)
	case reflect.Array:
		return sz.estimateList(p, ti.typ.Len(), room, ns)
	case reflect.Map:
		return estimateMap(reflect.NewAt(ti.typ, p).Elem(), ti, room, ns)
	case reflect.Struct:
		return sz.estimateStruct(p, room, ns)
	}
	return room + 1
}

// estimateList is estimate for the n elements of a slice or an array at
// data: brackets, commas and elements.
func (sz *sizing) estimateList(data unsafe.Pointer, n, room int, ns *names) int {
	total := 2 + n // one comma too many: n is at least 1 for a byte to count
	if total > room {
		return total
	}
	ei := sz.elem
	if m := ei.size.maxLen; m > 0 && n*m <= room-total {
		return total + n*m
	}
	if ei.kind == reflect.String {
		for i := range n {
			total += len(*(*string)(unsafe.Add(data, uintptr(i)*sz.elemSize))) + 2
			if total > room {
				return total
			}
		}
		return total
	}
	for i := range n {
		total += ei.estimate(unsafe.Add(data, uintptr(i)*sz.elemSize), room-total, ns)
		if total > room {
			return total
		}
	}
	return total
}

// estimateStruct is estimate for a struct at p: braces and the fields
// go-json writes, each with its key and a comma.
func (sz *sizing) estimateStruct(p unsafe.Pointer, room int, ns *names) int {
	total := 2
fields:
	for i := range sz.fields {
		f := &sz.fields[i]
		q := unsafe.Add(p, f.steps[0])
		for _, off := range f.steps[1:] {
			q = *(*unsafe.Pointer)(q)
			if q == nil {
				continue fields
			}
			q = unsafe.Add(q, off)
		}
		total += f.keyLen
		if f.info.kind == reflect.String {
			total += len(*(*string)(q)) + 2
		} else if total <= room {
			total += f.info.estimate(q, room-total, ns)
		}
		if total > room {
			return total
		}
	}
	return total
}

// estimateMap is estimate for a map with plain keys: braces, commas,
// quoted keys, colons and values. v can be interfaced.
func estimateMap(v reflect.Value, ti *typeInfo, room int, ns *names) int {
	if v.IsNil() {
		return len("null")
	}
	n := v.Len()
	total := 2 + n
	if total > room {
		return total
	}
	// The common maps of model parameters, usage and metadata are read
	// without reflection, which would allocate.
	switch m := v.Interface().(type) {
	case map[string]string:
		for k, e := range m {
			if total += len(k) + len(e) + 5; total > room || ns.redacts(k) {
				return room + 1
			}
		}
		return total
	case map[string]int:
		for k := range m {
			if total += len(k) + 3 + len("-9223372036854775808"); total > room || ns.redacts(k) {
				return room + 1
			}
		}
		return total
	case map[string]float64:
		for k := range m {
			if total += len(k) + 3 + maxFloatLen; total > room || ns.redacts(k) {
				return room + 1
			}
		}
		return total
	}
	ki, ei := ti.size.key, ti.size.elem
	quotes := 3 // and a colon
	if ki.kind != reflect.String {
		quotes = 5 // integer keys are written as strings
	}
	if ki.size.maxLen > 0 && ei.size.maxLen > 0 && n*(ki.size.maxLen+quotes+ei.size.maxLen) <= room-total {
		return total + n*(ki.size.maxLen+quotes+ei.size.maxLen)
	}
	k, e := reflect.New(ki.typ).Elem(), reflect.New(ei.typ).Elem()
	kp, ep := k.Addr().UnsafePointer(), e.Addr().UnsafePointer()
	for it := v.MapRange(); it.Next(); {
		k.SetIterKey(it)
		e.SetIterValue(it)
		if ki.kind == reflect.String && ns.redacts(*(*string)(kp)) {
			return room + 1
		}
		total += quotes - 2 + ki.estimate(kp, room-total, ns)
		if total > room {
			return total
		}
		total += ei.estimate(ep, room-total, ns)
		if total > room {
			return total
		}
	}
	return total
}

func intLen(i int64) int {
	if i < 0 {
		return 1 + digits(uint64(-i))
	}
	return digits(uint64(i))
}

// digits returns the number of decimal digits of u.
func digits(u uint64) int {
	n := 1
	for u >= 10 {
		u /= 10
		n++
	}
	return n
}

// sizing computes what estimate needs of ti, a direct type whose
// contained types are known already.
func (b *builder) sizing(ti *typeInfo) *sizing {
	sz := &sizing{}
	t := ti.typ
	switch ti.kind {
	case reflect.Pointer:
		sz.elem = b.info(t.Elem())
	case reflect.Slice, reflect.Array:
		sz.elem, sz.elemSize = b.info(t.Elem()), t.Elem().Size()
	case reflect.Map:
		sz.key, sz.elem = b.info(t.Key()), b.info(t.Elem())
	case reflect.Struct:
		if !ti.isTime {
			sz.fields = make([]fieldSizing, len(ti.fields))
			for i := range ti.fields {
				f := &ti.fields[i]
				sz.fields[i] = fieldSizing{steps: fieldSteps(t, f.index), keyLen: len(f.key) + 1 + quotes(f),
					info: b.info(f.typ), norm: f.norm, goNorm: f.goNorm}
			}
		}
	}
	sz.maxLen = sz.bound(ti)
	sz.names = sz.fieldNames()
	return sz
}

// fieldNames returns the normalised names of the fields in the type, its
// elements' and its fields' own, once each.
func (sz *sizing) fieldNames() []string {
	var out []string
	add := func(ns ...string) {
		for _, n := range ns {
			if n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	if sz.elem != nil {
		add(sz.elem.size.names...)
	}
	for _, f := range sz.fields {
		add(f.norm, f.goNorm)
		add(f.info.size.names...)
	}
	return out
}

// bound returns the most bytes go-json writes for any value of ti's type,
// or 0 if that has no bound or one too large to be of use.
func (sz *sizing) bound(ti *typeInfo) int {
	const useful = 1 << 16
	switch ti.kind {
	case reflect.Bool:
		return len("false")
	case reflect.Int8:
		return len("-128")
	case reflect.Int16:
		return len("-32768")
	case reflect.Int32:
		return len("-2147483648")
	case reflect.Int, reflect.Int64:
		return len("-9223372036854775808")
	case reflect.Uint8:
		return len("255")
	case reflect.Uint16:
		return len("65535")
	case reflect.Uint32:
		return len("4294967295")
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		return len("18446744073709551615")
	case reflect.Float64:
		return maxFloatLen
	case reflect.Pointer:
		if m := sz.elem.size.maxLen; m > 0 {
			return max(len("null"), m)
		}
	case reflect.Array:
		if m, n := sz.elem.size.maxLen, ti.typ.Len(); m > 0 && n <= useful/(m+1) {
			return 2 + n*(m+1)
		}
	case reflect.Struct:
		if ti.isTime {
			return maxTimeLen
		}
		n := 2
		for _, f := range sz.fields {
			m := f.info.size.maxLen
			if m == 0 || n > useful {
				return 0
			}
			n += f.keyLen + m
		}
		return n
	}
	return 0
}

// fieldSteps returns the steps of fieldSizing for the field of struct t
// at index, as typeFields gives it.
func fieldSteps(t reflect.Type, index []int) []uintptr {
	var steps []uintptr
	off := uintptr(0)
	for i, x := range index {
		sf := t.Field(x)
		off += sf.Offset
		if i == len(index)-1 {
			break
		}
		t = sf.Type
		if t.Kind() == reflect.Pointer {
			steps = append(steps, off)
			off, t = 0, t.Elem()
		}
	}
	return append(steps, off)
}

// quotes returns what the ",string" option adds to a field.
func quotes(f *field) int {
	if f.quoted {
		return 2
	}
	return 0
}
