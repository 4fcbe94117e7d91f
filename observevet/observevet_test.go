package observevet_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/observe-go/langfuse/observevet"
)

// Each test runs the analyzer on packages under testdata/src that call
// stubs of the library with the same signatures: every line that must be
// reported says so with a want comment, and every other line is a case
// that must stay quiet.

func TestBackgroundInWrappedFunc(t *testing.T) {
	t.Parallel()
	analysistest.Run(t, analysistest.TestData(), observevet.Analyzer, "wrapped")
}

func TestStartCtx(t *testing.T) {
	t.Parallel()
	analysistest.Run(t, analysistest.TestData(), observevet.Analyzer, "startctx")
}

func TestObservationEnded(t *testing.T) {
	t.Parallel()
	analysistest.Run(t, analysistest.TestData(), observevet.Analyzer, "ended")
}

func TestClientShutdownInMain(t *testing.T) {
	t.Parallel()
	analysistest.Run(t, analysistest.TestData(), observevet.Analyzer,
		"mainshut/never", "mainshut/discard", "mainshut/thrown", "mainshut/blank",
		"mainok/deferred", "mainok/flushed", "mainok/handed", "mainok/closure",
		"notmain")
}

// TestMatchesByPackagePath runs on calls of functions named like the
// library's in a package of another path: nothing is reported.
func TestMatchesByPackagePath(t *testing.T) {
	t.Parallel()
	analysistest.Run(t, analysistest.TestData(), observevet.Analyzer, "lookalike")
}
