package langfusemcp_test

import (
	"os"
	"testing"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
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
	os.Exit(llmtest.RunWithoutLeaks(m))
}
