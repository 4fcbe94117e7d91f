//go:build !race

package langfusemcp_test

const raceEnabled = false
