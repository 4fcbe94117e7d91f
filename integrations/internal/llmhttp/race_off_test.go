//go:build !race

package llmhttp

const raceEnabled = false
