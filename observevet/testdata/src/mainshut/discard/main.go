// Command discard throws the client away.
package main

import (
	"github.com/observe-go/langfuse"
)

func main() {
	_, err := langfuse.New() // want `the client from langfuse.New is discarded, so main cannot shut it down`
	if err != nil {
		panic(err)
	}
}
