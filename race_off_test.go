//go:build !race

package langfuse_test

const raceEnabled = false
