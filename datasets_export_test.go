package langfuse

import "testing"

// SetMaxAnswerBytes lowers the byte budget of an answer of the public API
// for the duration of t.
func SetMaxAnswerBytes(t *testing.T, n int64) {
	old := maxAnswerBytes
	maxAnswerBytes = n
	t.Cleanup(func() { maxAnswerBytes = old })
}
