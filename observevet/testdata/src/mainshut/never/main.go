// Command never makes a client and never shuts it down.
package main

import (
	"context"

	"github.com/observe-go/langfuse"
)

func main() {
	client, err := langfuse.New() // want `main never shuts down client from langfuse.New, so the spans still queued when main returns are lost: add defer client.Shutdown\(ctx\)`
	if err != nil {
		panic(err)
	}
	ctx := client.Context(context.Background())
	_ = ctx
	println(client.Stats().Exported)
}
