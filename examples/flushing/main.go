// Command flushing is a short-lived program, such as a serverless
// function or a command-line tool, that must not exit before its
// observations are sent.
//
// Observations are exported in batches in the background (every
// LANGFUSE_FLUSH_INTERVAL seconds, or LANGFUSE_FLUSH_AT spans), so a
// program that exits right away would lose what is still queued.
//
//   - lf.Flush(ctx) exports every ended observation now and returns when
//     that is done or ctx ends; the client keeps working. Call it at the
//     end of each invocation of a serverless handler, whose process may be
//     frozen as soon as it returns.
//   - lf.Shutdown(ctx) flushes, then stops the client: observations started
//     afterwards are not recorded. Call it once, before the program exits.
//     Later calls do nothing and return the first call's result.
//
// LANGFUSE_EXPORT_MODE=immediate exports each observation as it ends
// instead, on the goroutine that ends it, at the cost of one request per
// observation and of that goroutine waiting for the export.
//
// Without Langfuse keys each trace is printed to stderr when it is
// exported, so the trees appear at each Flush.
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

// handle is one invocation of a serverless function.
var handle = langfuse.Observe1("handle-invocation", func(ctx context.Context, event string) (string, error) {
	return "processed " + event, nil
}, observe.AsType(observe.TypeAgent))

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	for _, event := range []string{"upload-1", "upload-2"} {
		out, err := handle(context.Background(), event)
		if err != nil {
			log.Print(err)
		}
		// Flush before the invocation returns: the platform may freeze
		// the process until the next one, with spans still queued.
		flushCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = lf.Flush(flushCtx)
		cancel()
		fmt.Printf("%s, flushed (error: %v)\n", out, err)
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	// After Shutdown the wrapper still runs the function but records
	// nothing, and a second Shutdown is harmless.
	out, _ := handle(context.Background(), "upload-3")
	fmt.Printf("%s, not recorded; second shutdown: %v\n", out, lf.Shutdown(shutdownCtx))
}
