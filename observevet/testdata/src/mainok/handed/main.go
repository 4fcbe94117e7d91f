// Command handed gives its client to a function that shuts it down.
package main

import (
	"context"

	"github.com/observe-go/langfuse"
)

func run(c *langfuse.Client) { defer c.Shutdown(context.Background()) }

var global *langfuse.Client

func main() {
	client, err := langfuse.New()
	if err != nil {
		panic(err)
	}
	run(client)

	// A package-level variable may be shut down anywhere.
	global, _ = langfuse.New()
}

// notMain is no main: a library function may hand the client back.
func notMain() {
	c, _ := langfuse.New()
	_ = c.Stats()
}
