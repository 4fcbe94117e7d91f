package capture

import (
	"cmp"
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
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
	slices.SortFunc(s.kvs[start:end], func(a, b kvAny) int { return strings.Compare(a.k, b.k) })
	for i := start; i < end; i++ {
		if i > start {
			s.writeByte(',')
		}
		e := s.kvs[i]
		s.text(e.k, true)
		s.writeByte(':')
		s.any(e.v)
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
	start := len(s.rkvs)
	for it := v.MapRange(); it.Next(); {
		k := it.Key()
		kv := kvValue{k: mapKey(k, kti), v: it.Value()}
		if kti.kind == reflect.Interface && !k.IsNil() {
			kv.t = k.Elem().Type().String()
		}
		s.rkvs = append(s.rkvs, kv)
	}
	end := len(s.rkvs)
	// Keys of different types can have the same text (1 and "1"): their
	// types order them, so that the output is the same at every call.
	slices.SortFunc(s.rkvs[start:end], func(a, b kvValue) int {
		return cmp.Or(strings.Compare(a.k, b.k), strings.Compare(a.t, b.t))
	})
	for i := start; i < end; i++ {
		if i > start {
			s.writeByte(',')
		}
		e := s.rkvs[i]
		s.text(e.k, true)
		s.writeByte(':')
		s.value(e.v)
		if s.abort {
			break
		}
	}
	clear(s.rkvs[start:end])
	s.rkvs = s.rkvs[:start]
	if !s.abort {
		s.close('}')
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
