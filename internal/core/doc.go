// Package core is the one observation engine under package observe, the
// generic wrappers, Run, ObserveSeq and ObserveHandler.
//
// A Record is one observation from start to end: it carries what was
// decided once when it started (the client, the type, the capture
// switches), its error state and room for its attributes. A context holds
// the current Record under a key of this package, next to the
// OpenTelemetry span that trace.ContextWithSpan stores, so that nothing is
// read back from a live span and no other package's context key is used.
//
// Package observe builds the options (Option, one Field each) and is the
// public face of a Record; the root package's wrappers, Run, ObserveSeq
// and ObserveHandler drive the engine directly.
//
// A record ends one way, End, told how the code it watched ended (an
// Ending). Every observed call shape follows one protocol:
//
//	in := spec.CaptureInput(st)            // decided once per call
//	ctx, r := spec.Begin(ctx, st, args...) // args only when in; or Start
//	done := false
//	defer r.Guard(&done, nil)              // a panic: recorded, ended, raised again; Goexit: ended
//	out, err := body(ctx)
//	done = true
//	r.End(nil, Ending{Returned: true, Output: out, Err: err})
package core
