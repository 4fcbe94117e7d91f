// Command existing-trace adds observations to a trace that was started
// elsewhere, such as by the service that put a job on a queue, with
// observe.WithTraceContext(traceID, parentSpanID).
//
// With a parent span id the new observation is that span's child in the
// existing trace. With "" as parent it becomes a root of the trace, which
// suits a trace id made with observe.CreateTraceID from an id both sides
// know.
//
// Without LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY the traces are
// printed to stderr: the producer's part and the consumer's part as two
// trees with the same trace id.
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

// job is what a producer puts on a queue: the work and where its trace
// continues.
type job struct {
	Document     string
	TraceID      string
	ParentSpanID string
}

// embedDocument is the consumer's work; it nests under whatever
// observation its ctx holds.
var embedDocument = langfuse.Observe1("embed-document", func(ctx context.Context, doc string) (int, error) {
	return 1536, nil
}, observe.AsType(observe.TypeEmbedding), observe.WithModel("text-embedding-3-small"))

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	j := enqueue(context.Background(), "handbook.pdf")
	consume(context.Background(), j)
	review(context.Background(), "ticket-981")

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// enqueue is the producer: it records its ids in the job.
func enqueue(ctx context.Context, doc string) job {
	_, o := observe.Start(ctx, "enqueue-ingestion", observe.WithInput(doc))
	defer o.End()
	return job{Document: doc, TraceID: o.TraceID(), ParentSpanID: o.ID()}
}

// consume runs later, in another process as far as it knows: it has only
// the job and continues the producer's trace under the producer's span.
func consume(ctx context.Context, j job) {
	ctx, o := observe.Start(ctx, "ingest-document",
		observe.WithTraceContext(j.TraceID, j.ParentSpanID),
		observe.WithInput(j.Document))
	defer o.End()
	dims, err := embedDocument(ctx, j.Document)
	if err != nil {
		o.RecordError(err)
		return
	}
	fmt.Printf("ingested %s (%d dimensions) in the producer's trace: %t\n", j.Document, dims, o.TraceID() == j.TraceID)
}

// review adds a root observation to the trace of a support ticket, whose
// id both sides derive from the ticket id.
func review(ctx context.Context, ticket string) {
	_, o := observe.Start(ctx, "human-review",
		observe.AsType(observe.TypeEvaluator),
		observe.WithTraceContext(observe.CreateTraceID(ticket), ""))
	o.End(observe.WithOutput("approved"))
	fmt.Printf("reviewed %s in trace %s\n", ticket, o.TraceID())
}
