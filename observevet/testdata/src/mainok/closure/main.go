// Command closure shuts its client down in a deferred closure.
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
	defer func() {
		if err := client.Shutdown(context.Background()); err != nil {
			println(err.Error())
		}
	}()
}
