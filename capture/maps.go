package capture

import (
	"cmp"
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// mapAny writes the most common map without reflection.
func (s *state) mapAny(m map[string]any) {
	if m == nil {
		s.writeString("null")
		return
	}
	if !s.push(ref{reflect.ValueOf(m).Pointer(), 0, mapAnyType}, mapAnyCycle) {
		return
	}
	defer s.pop()
	if len(m) > s.entriesToKeep() {
		// Only its first keys can be written: keep those alone.
		mapOf(s, m, (*state).any)
		return
	}
	if !s.open('{') {
		return
	}
	// Entries are sorted by key like encoding/json. Nested maps append
	// after ours and cut back before we continue, so one slice serves the
	// whole walk.
	start := len(s.kvs)
	for k, v := range m {
		s.kvs = append(s.kvs, kvAny{k, v})
	}
	end := len(s.kvs)
	slices.SortFunc(s.kvs[start:end], compareKVAny)
	for i := start; i < end; i++ {
		if e := s.kvs[i]; s.memberKey(e.k, i == start) {
			s.any(e.v)
		}
		if s.abort {
			break
		}
	}
	clear(s.kvs[start:end])
	s.kvs = s.kvs[:start]
	if !s.abort {
		s.close('}')
	}
}

func (s *state) mapValue(v reflect.Value, ti *typeInfo) {
	if !s.push(ref{v.Pointer(), 0, v.Type()}, ti.cycle) {
		return
	}
	defer s.pop()
	if !s.open('{') {
		return
	}
	kti := infoFor(v.Type().Key())
	start, keep := len(s.rkvs), s.entriesToKeep()
	// Each key is read into one scratch value, and an entry is copied out
	// of the map only if it is kept: a map far larger than the output
	// costs the room of what can be written, not of the map.
	scratch := v.CanInterface()
	var key reflect.Value
	if scratch {
		key = reflect.New(v.Type().Key()).Elem()
	}
	var num [24]byte
	for it := v.MapRange(); it.Next(); {
		k := key
		if scratch {
			key.SetIterKey(it)
		} else {
			k = it.Key()
		}
		kv := kvValue{}
		stack := false
		switch {
		case kti.marshalText:
			kv.k = mapKey(k, kti)
		case kti.kind >= reflect.Int && kti.kind <= reflect.Int64:
			b := strconv.AppendInt(num[:0], k.Int(), 10)
			kv.k, stack = unsafe.String(unsafe.SliceData(b), len(b)), true
		case kti.kind >= reflect.Uint && kti.kind <= reflect.Uintptr:
			b := strconv.AppendUint(num[:0], k.Uint(), 10)
			kv.k, stack = unsafe.String(unsafe.SliceData(b), len(b)), true
		default:
			kv.k = mapKey(k, kti)
		}
		if kti.kind == reflect.Interface && !k.IsNil() {
			kv.t = k.Elem().Type().String()
		}
		if len(s.rkvs)-start == keep && keep > 0 && compareKVValue(kv, s.rkvs[start]) >= 0 {
			continue // larger than every entry kept
		}
		if stack {
			kv.k = strings.Clone(kv.k)
		}
		kv.v = it.Value()
		s.rkvs = keepSmallest(s.rkvs, start, keep, kv, compareKVValue)
	}
	end := len(s.rkvs)
	slices.SortFunc(s.rkvs[start:end], compareKVValue)
	for i := start; i < end; i++ {
		if e := s.rkvs[i]; s.memberKey(e.k, i == start) {
			s.value(e.v)
		}
		if s.abort {
			break
		}
	}
	clear(s.rkvs[start:end])
	s.rkvs = s.rkvs[:start]
	s.unseen(v.Len() - (end - start))
	if !s.abort {
		s.close('}')
	}
}

// mapOf writes a map with string keys, its values looked up as they are
// written: only the keys are sorted, in s.keys, and of a map too large to
// be written whole only as many of the first as can be written or
// counted are kept. Nested maps append after ours and cut back before we
// continue.
func mapOf[V any](s *state, m map[string]V, write func(*state, V)) {
	if m == nil {
		s.writeString("null")
		return
	}
	if !s.open('{') {
		return
	}
	start, keep := len(s.keys), s.entriesToKeep()
	s.keys = slices.Grow(s.keys, min(len(m), keep))
	for k := range m {
		s.keys = keepSmallest(s.keys, start, keep, k, strings.Compare)
	}
	end := len(s.keys)
	slices.Sort(s.keys[start:end])
	for i := start; i < end; i++ {
		if k := s.keys[i]; s.memberKey(k, i == start) {
			write(s, m[k])
		}
		if s.abort {
			break
		}
	}
	clear(s.keys[start:end])
	s.keys = s.keys[:start]
	s.unseen(len(m) - (end - start))
	if !s.abort {
		s.close('}')
	}
}

// memberKey writes the key of an object member, after a comma unless it
// is the first, and reports whether the caller is to write its value: the
// value of a name that is redacted is written here, as Redacted.
func (s *state) memberKey(k string, first bool) bool {
	if !first {
		s.writeByte(',')
	}
	s.text(k, true)
	s.writeByte(':')
	if s.names.redacts(k) {
		s.writeString(redactedJSON)
		return false
	}
	return true
}

// The values of maps of scalars, counted as values once the output is
// full.
func (s *state) stringValue(x string) {
	if !s.stopped() {
		s.text(x, true)
	}
}

func (s *state) intValue(x int) {
	if !s.stopped() {
		s.int64(int64(x))
	}
}

func (s *state) float64Value(x float64) {
	if !s.stopped() {
		s.float(x, 64)
	}
}

// mapKey returns the object key for a map key: strings, integers and
// encoding.TextMarshaler as in encoding/json, and for other types (which
// encoding/json rejects) their String or Error text or fmt's rendering.
func mapKey(k reflect.Value, ti *typeInfo) string {
	switch ti.kind {
	case reflect.String:
		return k.String()
	case reflect.Interface:
		if k.IsNil() {
			return "null"
		}
		e := k.Elem()
		return mapKey(e, infoFor(e.Type()))
	}
	if ti.marshalText && k.CanInterface() {
		if ti.kind == reflect.Pointer && k.IsNil() {
			return ""
		}
		b, err := callMarshalText(k.Interface().(encoding.TextMarshaler))
		if err != nil {
			return problemText("MarshalText", err)
		}
		return string(b)
	}
	switch ti.kind {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10)
	}
	if !k.CanInterface() {
		return "<" + k.Type().String() + ">"
	}
	x := k.Interface()
	switch x := x.(type) {
	case fmt.Stringer:
		msg, err := callString(x)
		if err != nil {
			return problemText("String", err)
		}
		return msg
	case error:
		msg, err := callError(x)
		if err != nil {
			return problemText("Error", err)
		}
		return msg
	}
	switch ti.kind {
	case reflect.Pointer, reflect.Chan, reflect.UnsafePointer:
		// fmt would print what a pointer points to, which may be
		// anything; the address is what tells keys apart.
		return "<" + k.Type().String() + " 0x" + strconv.FormatUint(uint64(k.Pointer()), 16) + ">"
	}
	// Other comparable keys (bools, floats, structs, arrays) hold no maps
	// or slices and fmt prints pointers inside them as addresses, so fmt
	// terminates on them; it also recovers panics in their methods.
	return fmt.Sprint(x)
}

func compareKVAny(a, b kvAny) int { return strings.Compare(a.k, b.k) }

// compareKVValue orders by key text, and keys of different types with the
// same text (1 and "1") by type, so that the output is the same at every
// call.
func compareKVValue(a, b kvValue) int {
	return cmp.Or(strings.Compare(a.k, b.k), strings.Compare(a.t, b.t))
}

// minEntryLen is the least a map entry takes in the output: `"":0`.
const minEntryLen = 4

// entriesToKeep returns how many entries of a map can be written or
// counted at most, from the room left and the count budget: a map with
// more has only that many of its first keys kept, and the room to sort
// them is bounded by the limit, not by the map.
func (s *state) entriesToKeep() int {
	return max(0, s.limit-len(s.buf))/minEntryLen + 2 + max(0, s.countNodes-s.nodes)
}

// unseen counts the n entries of a map that were not kept: none of them
// can be written, and each takes minEntryLen and a comma at least, so the
// count becomes a lower bound.
func (s *state) unseen(n int) {
	if n > 0 && !s.abort {
		s.over += n * (minEntryLen + 1)
		s.abort = true
	}
}

// keepSmallest adds x to the entries of h from start on, which hold at
// most keep entries: the smallest by compare. Once there are keep, they
// are made a max-heap, and each entry after replaces the largest if it is
// smaller. Sorting h[start:] then gives the first keep entries in order.
func keepSmallest[T any](h []T, start, keep int, x T, compare func(a, b T) int) []T {
	if n := len(h) - start; n < keep {
		h = append(h, x)
		if n+1 == keep {
			heap := h[start:]
			for i := len(heap)/2 - 1; i >= 0; i-- {
				siftDown(heap, i, compare)
			}
		}
		return h
	}
	heap := h[start:]
	if keep == 0 || compare(x, heap[0]) >= 0 {
		return h
	}
	heap[0] = x
	siftDown(heap, 0, compare)
	return h
}

// siftDown moves heap[i] down to its place in the max-heap.
func siftDown[T any](heap []T, i int, compare func(a, b T) int) {
	for {
		largest := i
		if l := 2*i + 1; l < len(heap) && compare(heap[l], heap[largest]) > 0 {
			largest = l
		}
		if r := 2*i + 2; r < len(heap) && compare(heap[r], heap[largest]) > 0 {
			largest = r
		}
		if largest == i {
			return
		}
		heap[i], heap[largest] = heap[largest], heap[i]
		i = largest
	}
}
