// Command manual-observations starts and ends observations by hand, for
// code whose shape does not fit a wrapper or a single function.
//
//   - observe.StartObservation(ctx, name) starts a child of the observation
//     current in ctx and leaves ctx unchanged, so two calls with the same
//     ctx start siblings.
//   - o.StartObservation(name) starts a child of o, whatever ctx holds.
//   - observe.CreateEvent(ctx, name) records a point in time: an
//     observation of type event that is already ended.
//
// Every observation started by hand must be ended by hand; End is
// idempotent, so a deferred End next to an explicit one is safe.
//
// The program prints this tree to stderr when no Langfuse keys are set,
// with a duration after each type:
//
//	trace 5d41…
//	└─ process-order  span
//	   │  input:  {"id":"A-1001","items":["book","lamp"]}
//	   │  output: "confirmed"
//	   ├─ validate-order  guardrail
//	   ├─ check-inventory  tool
//	   │     output: {"book":3,"lamp":0}
//	   ├─ backorder  event
//	   │     meta:   item=lamp
//	   ├─ charge-card  tool
//	   │  ├─ fraud-check  guardrail
//	   │  │     output: "pass"
//	   │  └─ capture-payment  span
//	   └─ write-confirmation  generation  model=gpt-4o-mini usage={"input":60,"output":24}
//	         output: "Your order A-1001 is confirmed; the lamp ships later."
//
// validate-order and check-inventory are siblings started from the same
// ctx; fraud-check and capture-payment are children of charge-card started
// from the observation itself. Children are listed in the order they
// started.
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

type order struct {
	ID    string   `json:"id"`
	Items []string `json:"items"`
}

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	status := processOrder(context.Background(), order{ID: "A-1001", Items: []string{"book", "lamp"}})
	fmt.Println("order A-1001:", status)

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func processOrder(ctx context.Context, o order) string {
	ctx, root := observe.Start(ctx, "process-order", observe.WithInput(o))
	defer root.End()

	// Siblings: both are children of process-order, because ctx still
	// holds it after the first call. They may end in any order.
	validate := observe.StartObservation(ctx, "validate-order", observe.AsType(observe.TypeGuardrail))
	inventory := observe.StartObservation(ctx, "check-inventory", observe.AsType(observe.TypeTool))
	stock := map[string]int{"book": 3, "lamp": 0}
	inventory.End(observe.WithOutput(stock))
	validate.End()

	for _, item := range o.Items {
		if stock[item] == 0 {
			observe.CreateEvent(ctx, "backorder", observe.WithMetadata(map[string]any{"item": item}))
		}
	}

	// Children of charge-card, started from the observation rather than
	// from a ctx: useful when the work has no ctx to pass around.
	charge := root.StartObservation("charge-card", observe.AsType(observe.TypeTool))
	fraud := charge.StartObservation("fraud-check", observe.AsType(observe.TypeGuardrail))
	fraud.End(observe.WithOutput("pass"))
	payment := charge.StartObservation("capture-payment")
	payment.End()
	charge.End()

	gen := root.StartObservation("write-confirmation",
		observe.AsType(observe.TypeGeneration), observe.WithModel("gpt-4o-mini"))
	gen.End(
		observe.WithOutput("Your order A-1001 is confirmed; the lamp ships later."),
		observe.WithUsage(map[string]int{"input": 60, "output": 24}))

	root.Update(observe.WithOutput("confirmed"))
	return "confirmed"
}
