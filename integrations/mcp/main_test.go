package langfusemcp_test

import (
	"net/http"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind: a session
// never closed, or an observation waiting on a call that never ended,
// shows up here.
func TestMain(m *testing.M) {
	if out := os.Getenv(stdioServerEnv); out != "" {
		// This process is the MCP server of TestStdio, started by the test
		// over stdin and stdout.
		os.Exit(serveStdio(out))
	}
	code := m.Run()
	if code == 0 {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		if err := goleak.Find(); err != nil {
			os.Stderr.WriteString("goleak: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}
