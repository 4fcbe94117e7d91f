// Command deferred shuts its client down when main returns.
package main

import (
	"context"

	"github.com/observe-go/langfuse"
)

func main() {
	client, err := langfuse.New()
	if err != nil {
		panic(err)
	}
	defer client.Shutdown(context.Background())
}
