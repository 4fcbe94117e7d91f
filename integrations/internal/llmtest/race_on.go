//go:build race

package llmtest

// RaceEnabled reports whether the race detector is on: allocations are
// counted without it.
const RaceEnabled = true
