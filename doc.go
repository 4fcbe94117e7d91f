// Package langfuse instruments Go code for Langfuse, the open-source LLM
// engineering platform, on OpenTelemetry.
//
// Wrap a function once and every call becomes an observation with its
// timing, input, output, errors and panics, nested through the
// context.Context the function receives:
//
//	var answer = langfuse.Observe1("answer", func(ctx context.Context, q string) (string, error) {
//		docs, err := retrieve(ctx, q) // another wrapper: nests under "answer"
//		if err != nil {
//			return "", err
//		}
//		return generate(ctx, q, docs)
//	}, observe.AsType(observe.TypeAgent))
//
//	func main() {
//		lf, err := langfuse.New() // LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY, LANGFUSE_BASE_URL
//		if err != nil {
//			// A malformed variable is named here; lf still works,
//			// with that setting at its default.
//			log.Printf("langfuse: %v", err)
//		}
//		defer lf.Shutdown(context.Background()) // sends what is left
//		answer(context.Background(), "What is Langfuse?")
//	}
//
// Run observes a block of code inline, with the same semantics, and
// Client.Context binds a context to a client other than the default one
// (a second Langfuse project, a test's own recorder).
//
// GetPrompt and Client.Prompt fetch prompts managed in Langfuse (package
// prompt), cached in memory and refreshed in the background; a generation
// that uses one is linked to its version with observe.FromPrompt.
// CreatePrompt and SetPromptLabels add versions and move labels.
//
// Package observe starts and updates observations by hand (generations
// with model and usage, events, propagated user and session ids), package
// config lists every setting, package tracing holds the OpenTelemetry
// parts for users who bring their own TracerProvider, and package
// langfusetest records observations for tests.
//
// # Guarantees
//
// A wrapper returns exactly what the wrapped function returns and panics
// with exactly what it panics with. Capturing a value never panics, hangs
// or grows without bound: cycles, channels and functions become visible
// placeholders and large values are cut with a marker (package capture).
// Spans are exported off the calling goroutine unless immediate export is
// chosen. With tracing disabled, a wrapper calls straight through without
// allocating.
package langfuse
