// Command thrown calls New for its effect alone.
package main

import "github.com/observe-go/langfuse"

func main() {
	langfuse.New() // want `the client from langfuse.New is thrown away`
}
