package langfusebedrock_test

import (
	"os"
	"testing"

	"github.com/observe-go/langfuse/integrations/internal/llmtest"
)

// TestMain fails the run if a test leaves a goroutine behind: a stream
// whose generation never ended, or a body never closed, shows up here.
func TestMain(m *testing.M) {
	os.Exit(llmtest.RunWithoutLeaks(m))
}
