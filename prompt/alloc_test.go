//go:build !race

package prompt_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/prompt"
)

// TestResolveDoesNotAllocate holds the resolution of options, which a
// cached GetPrompt does on every call, to no allocation (the race
// detector allocates, hence the build tag).
func TestResolveDoesNotAllocate(t *testing.T) {
	opts := []prompt.Option{prompt.Label("staging"), prompt.CacheTTL(time.Minute), prompt.Fallback(prompt.Prompt{Text: "x"})}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = prompt.Resolve() }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = prompt.Resolve(opts...) }))
}
