package examples_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// linkedNever are packages no example may link: gRPC and grpc-gateway,
// which the generated OTLP collector package drags in with its service,
// and the SDK's test helpers.
var linkedNever = []string{
	"google.golang.org/grpc",
	"github.com/grpc-ecosystem/grpc-gateway",
	"go.opentelemetry.io/proto/otlp/collector",
	"go.opentelemetry.io/otel/sdk/trace/tracetest",
}

// TestExamplesLinkNoGRPC checks the whole import graph of the quickstart
// and the other examples, as go list -deps sees it: none of linkedNever
// may be in it, however far down. The linter's depguard rules see only
// direct imports. In CI the test runs or fails: it needs only the go
// command that runs it.
func TestExamplesLinkNoGRPC(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the go command is needed to list the examples' packages:", err)
		}
		t.Skip("the go command is needed to list the examples' packages:", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "./quickstart", "./...").Output()
	require.NoError(t, err, "go list: %s", exitStderr(err))
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/observe-go/langfuse/tracing", "the list holds the exporter")
	for _, p := range deps {
		for _, never := range linkedNever {
			if p == never || strings.HasPrefix(p, never+"/") {
				t.Errorf("an example links %s (go mod why %s shows through what)", p, p)
			}
		}
	}
}

func exitStderr(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}
