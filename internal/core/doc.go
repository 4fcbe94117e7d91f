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
// Every observed call shape follows one protocol:
//
//	ctx, r := spec.Begin(ctx, st, args...) // or Start
//	done := false
//	defer r.Guard(&done, nil)              // records a panic and re-raises it, or ends on Goexit
//	out, err := body(ctx)
//	done = true
//	r.Finish(out, err)
package core
