// Command blank silences the compiler about its client and nothing else.
package main

import "github.com/observe-go/langfuse"

func main() {
	client, err := langfuse.New() // want `main never shuts down client from langfuse.New`
	if err != nil {
		panic(err)
	}
	_ = client
}
