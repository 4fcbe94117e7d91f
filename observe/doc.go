// Package observe records observations: the spans, generations, tool
// calls and events that make up a Langfuse trace.
//
// An observation is started with Start, which returns a context in which
// it is current, so that everything started under that context nests
// below it. It is ended with End:
//
//	ctx, gen := observe.Start(ctx, "llm-call",
//		observe.AsType(observe.TypeGeneration),
//		observe.WithModel("gpt-4o"),
//		observe.WithInput(messages))
//	reply, err := client.Chat(ctx, messages)
//	if err != nil {
//		gen.RecordError(err)
//	}
//	gen.End(observe.WithOutput(reply),
//		observe.WithUsage(map[string]int{"input": 12, "output": 40}))
//
// PropagateAttributes puts a user id, session id, trace name, tags and
// metadata on every observation started under a context.
//
// Observations are recorded by the client bound to the context
// (langfuse.Client.Context), else by the default client that langfuse.New
// sets up; children are recorded by their parent's client. When there is
// no client, and when tracing is disabled, every function here returns a
// no-op observation whose methods do nothing, and methods on a nil
// *Observation do nothing either, so instrumented code never needs to
// check. Options cost next to nothing then: building one allocates nothing
// but the boxing of a non-pointer argument in an interface, so pass large
// inputs by pointer, or check IsRecording before computing them.
//
// # Panics
//
// Deferred right after Start, End records a panic that passes through it
// and lets it go on with the same value:
//
//	ctx, o := observe.Start(ctx, "step")
//	defer o.End()
//
// # Goroutines
//
// The context carries the current observation, so work started in another
// goroutine nests where its context says: pass ctx to the goroutine.
// Observations are safe for concurrent use; an observation may be ended
// by a goroutine other than the one that started it.
package observe
