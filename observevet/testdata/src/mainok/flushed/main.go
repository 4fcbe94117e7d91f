// Command flushed flushes its client before main returns.
package main

import (
	"context"

	"github.com/observe-go/langfuse"
)

func main() {
	var client *langfuse.Client
	var err error
	client, err = langfuse.New()
	if err != nil {
		panic(err)
	}
	if err := client.Flush(context.Background()); err != nil {
		println(err.Error())
	}
}
