//go:build race

package llmhttp

const raceEnabled = true
