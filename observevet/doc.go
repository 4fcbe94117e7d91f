// Package observevet defines an analyzer that reports the mistakes in code
// instrumented with github.com/observe-go/langfuse that the library cannot
// see at run time: the trace still gets written, only not the one the
// author meant.
//
// It reports:
//
//   - context.Background() or context.TODO() inside a function given to a
//     wrapper (langfuse.ObserveCtx, Observe1, Observe2, Observe3,
//     ObserveErr, ObserveErr1, ObserveSeq) or to langfuse.Run: the work
//     started from it begins a new trace instead of nesting under the
//     observation, so pass the function's ctx;
//   - a ctx returned by observe.Start or (*observe.Observation).Start that
//     is discarded or never used afterwards: the new observation is not
//     current, so whatever runs next attaches to its parent;
//   - an observation from observe.Start, observe.StartObservation or the
//     Observation methods of the same names that is not ended on every path
//     to a return: an observation that is never ended is never exported;
//   - a langfuse.New in func main whose client main neither shuts down nor
//     flushes: the spans still queued when main returns are lost.
//
// Functions are recognised by their package path and type, never by the
// text of a name, and the checks stay quiet whenever the value may be
// handled elsewhere (returned, stored, passed to another function, captured
// by a closure): a report is a mistake to fix, not a guess.
//
// Run it through go vet or on its own:
//
//	go install github.com/observe-go/langfuse/observevet/cmd/observevet@latest
//	go vet -vettool=$(which observevet) ./...
//
//	go run github.com/observe-go/langfuse/observevet/cmd/observevet@latest ./...
package observevet
