// Command trace-ids works with trace and observation ids: a trace id made
// from an id of your own system, and the ids of the current trace and
// observation read from a ctx, for logs, links and scores.
//
// observe.CreateTraceID(seed) is deterministic: the same seed always gives
// the same 32-hex-digit id, as in the official SDKs, so a trace started
// with it can be found again (or scored) from the seed alone.
// observe.TraceID(ctx) and observe.ObservationID(ctx) return the ids of the
// span current in ctx, or "" when there is none; o.TraceID() and o.ID()
// return those of an observation you hold.
//
// Without LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY the trace tree is
// printed to stderr.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

// checkout writes the ids into its log line, so that a search of the logs
// leads to the trace and the observation.
var checkout = langfuse.Observe1("checkout", func(ctx context.Context, orderID string) (string, error) {
	fmt.Printf("checkout %s: trace_id=%s observation_id=%s\n",
		orderID, observe.TraceID(ctx), observe.ObservationID(ctx))
	return "paid", nil
})

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	id := observe.CreateTraceID("order-1234")
	fmt.Printf("trace id of order-1234: %s (same seed, same id: %t)\n",
		id, observe.CreateTraceID("order-1234") == id)

	// Starting the order's trace with that id makes it findable from the
	// order id alone: the trace id is the same in every run.
	ctx, root := observe.Start(context.Background(), "order-1234", observe.WithTraceContext(id, ""))
	if root.TraceID() != id || observe.ObservationID(ctx) != root.ID() {
		log.Fatal("the ctx does not hold the observation just started")
	}
	if _, err := checkout(ctx, "order-1234"); err != nil {
		root.RecordError(err)
	}
	root.End()

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
