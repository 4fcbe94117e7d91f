// Command propagating-attributes puts trace-level attributes (user,
// session, trace name, tags, metadata) on every observation of a trace
// with observe.PropagateAttributes.
//
// PropagateAttributes returns a ctx whose observations all carry the
// attributes; called while an observation is current, it sets them on
// that observation too. Nested calls merge: later values win, tags are
// appended and metadata keys merged, and the outer ctx is left as it was.
//
// Without LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY the trace trees are
// printed to stderr; each tree's first line shows the trace name, user,
// session and tags (trace metadata goes to Langfuse but is not printed).
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

// reply is the model call; it knows nothing of users or sessions, yet its
// observations carry them.
var reply = langfuse.Observe1("reply", func(ctx context.Context, message string) (string, error) {
	if strings.Contains(message, "refund") {
		return "I have passed your refund request on to a colleague.", nil
	}
	return "Your order ships tomorrow.", nil
}, observe.AsType(observe.TypeGeneration), observe.WithModel("gpt-4o-mini"))

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	// Set once per request, typically by the handler or middleware that
	// knows who is asking.
	ctx := observe.PropagateAttributes(context.Background(), observe.Attributes{
		UserID:    "user-42",
		SessionID: "chat-7",
		TraceName: "support-chat",
		Tags:      []string{"support"},
		Metadata:  map[string]string{"tenant": "acme"},
	})

	for _, msg := range []string{"Where is my order?", "I want a refund."} {
		fmt.Println(handleMessage(ctx, msg))
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// handleMessage is one trace per message, all in the same session.
func handleMessage(ctx context.Context, msg string) string {
	ctx, span := observe.Start(ctx, "handle-message", observe.WithInput(msg))
	defer span.End()

	if strings.Contains(msg, "refund") {
		// Nested: adds a tag and a metadata key for this trace only. The
		// current observation, handle-message, gets them as well, and the
		// ctx of the caller still holds just the outer attributes.
		ctx = observe.PropagateAttributes(ctx, observe.Attributes{
			Tags:     []string{"escalated"},
			Metadata: map[string]string{"queue": "billing"},
		})
	}
	out, err := reply(ctx, msg)
	if err != nil {
		span.RecordError(err)
		return ""
	}
	span.Update(observe.WithOutput(out))
	return out
}
