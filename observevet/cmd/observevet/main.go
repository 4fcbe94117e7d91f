// Command observevet reports misuses of github.com/observe-go/langfuse that
// split or lose traces; see package
// github.com/observe-go/langfuse/observevet for what it reports.
//
// Run it on its own, or as the tool of go vet:
//
//	observevet ./...
//	go vet -vettool=$(which observevet) ./...
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/observe-go/langfuse/observevet"
)

func main() { singlechecker.Main(observevet.Analyzer) }
