// Package notmain has a func main that is not a program's.
package notmain

import "github.com/observe-go/langfuse"

func main() {
	c, _ := langfuse.New()
	_ = c.Stats()
}
