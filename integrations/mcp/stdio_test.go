package langfusemcp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// stdioServerEnv names the file a server process started by TestStdio
// writes its observations to.
const stdioServerEnv = "LANGFUSEMCP_TEST_STDIO_SERVER_OUT"

// servedObservation is what the server process reports of each of its
// observations.
type servedObservation struct {
	Name, Type, TraceID, ID, ParentID, Input, Output string
}

// serveStdio runs the test server over this process's stdin and stdout
// with a Langfuse client of its own, until the client closes stdin, then
// writes what that client recorded to the file out. It returns the exit
// code.
func serveStdio(out string) int {
	rec := langfusetest.NewRecorder()
	lf, err := langfuse.New(langfuse.WithSpanExporter(rec), langfuse.AsDefault(false))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	err = newServer().Run(lf.Context(context.Background()), &mcp.StdioTransport{})
	_ = lf.Shutdown(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
	}
	var got []servedObservation
	for _, o := range rec.Observations() {
		got = append(got, servedObservation{o.Name, o.Type, o.TraceID, o.ID, o.ParentID, o.Input, o.Output})
	}
	b, _ := json.Marshal(got)
	if err := os.WriteFile(out, b, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestStdio runs the server in another process, this test binary started
// again, over stdio: no headers anywhere, and the server process's tool
// observation is still the child of the client's, in its trace.
func TestStdio(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	out := filepath.Join(t.TempDir(), "served.json")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), stdioServerEnv+"="+out)
	cmd.Stderr = os.Stderr

	clientCtx, clientRec := langfusetest.New(t)
	cs, err := newClient().Connect(context.Background(), &mcp.CommandTransport{Command: cmd}, nil)
	require.NoError(t, err)
	ctx, agent := observe.Start(clientCtx, "agent", observe.AsType(observe.TypeAgent))
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Sintra"}})
	agent.End()
	require.NoError(t, err)
	assert.Equal(t, "Sunny in Sintra", res.Content[0].(*mcp.TextContent).Text)
	require.NoError(t, cs.Close()) // closes the server's stdin; it exits

	b, err := os.ReadFile(out)
	require.NoError(t, err, "the server process wrote what it recorded")
	var served []servedObservation
	require.NoError(t, json.Unmarshal(b, &served))
	byName := map[string]servedObservation{}
	for _, o := range served {
		byName[o.Name] = o
	}
	call := clientRec.MustFind(t, "forecast")
	tool, ok := byName["forecast"]
	require.True(t, ok, "the server recorded the call: %s", b)
	assert.Equal(t, "tool", tool.Type)
	assert.Equal(t, call.TraceID, tool.TraceID, "the server process continues the agent's trace")
	assert.Equal(t, call.ID, tool.ParentID)
	assert.JSONEq(t, `{"city":"Sintra"}`, tool.Input)
	assert.Equal(t, tool.ID, byName["lookup Sintra"].ParentID)
}
