package llmtest

import (
	"net/http"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// RunWithoutLeaks runs the tests of m and returns the code to exit with:
// theirs, or 1 when they passed but left a goroutine behind, which is
// reported on stderr. The idle connections of http.DefaultTransport are
// closed first: they are the client's to keep, not a leak.
func RunWithoutLeaks(m *testing.M) int {
	code := m.Run()
	if code == 0 {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		if err := goleak.Find(); err != nil {
			_, _ = os.Stderr.WriteString("goleak: " + err.Error() + "\n")
			code = 1
		}
	}
	return code
}
