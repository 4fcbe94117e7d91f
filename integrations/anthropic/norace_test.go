//go:build !race

package langfuseanthropic_test

const raceEnabled = false
