// Command mcp records tool calls over the Model Context Protocol with
// langfusemcp: an agent calls the tools of an MCP server, and the
// server's side of each call, with what the tool does, nests under the
// agent's in one trace.
//
// Client and server run in this one process, over the SDK's in-memory
// transports: no network, no key. Each has a Langfuse client of its own,
// as two processes talking over stdio or streamable HTTP would: the
// server's part of the trace names the agent's tool call as its remote
// parent, and Langfuse shows the two parts as one trace. With
// LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY set both parts go to
// Langfuse; without them each client prints its part of the trace tree to
// stdout as it ends.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/observe-go/langfuse"
	langfusemcp "github.com/observe-go/langfuse/integrations/mcp"
	"github.com/observe-go/langfuse/observe"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run starts the server, connects the agent to it, makes two tool calls
// and prints the answers, and the trace when no Langfuse keys are set,
// to w.
func run(ctx context.Context, w io.Writer) error {
	agentLF := newLangfuse(w)
	defer shutdown(agentLF)
	serverLF := newLangfuse(w)
	defer shutdown(serverLF)

	// The server's handlers run with the context given to Connect: its
	// Langfuse client records the server's side of each call.
	serverTransport, clientTransport := mcp.NewInMemoryTransports()
	serverSession, err := newServer().Connect(serverLF.Context(ctx), serverTransport, nil)
	if err != nil {
		return err
	}
	defer func() { _ = serverSession.Wait() }() // after the client closes the session

	ctx = agentLF.Context(ctx)
	client := mcp.NewClient(&mcp.Implementation{Name: "trip-agent", Version: "v1.0.0"}, nil)
	client.AddSendingMiddleware(langfusemcp.ClientMiddleware())
	session, err := client.Connect(ctx, clientTransport, nil)
	if err != nil {
		return err
	}
	defer session.Close()

	ctx, agent := observe.Start(ctx, "plan-trip", observe.AsType(observe.TypeAgent))
	defer agent.End()

	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Lisbon"}})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "forecast:", text(res))

	// A tool that fails answers with isError: the model reads the error,
	// and both observations are at level ERROR.
	res, err = session.CallTool(ctx, &mcp.CallToolParams{Name: "book-hotel", Arguments: map[string]any{"city": "Lisbon", "nights": 3}})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "book-hotel:", text(res), "(isError:", res.IsError, ")")
	agent.Update(observe.WithOutput("Sunny in Lisbon; no hotel booked."))
	return nil
}

// newLangfuse returns a Langfuse client that is not the default: one for
// each side of the calls.
func newLangfuse(w io.Writer) *langfuse.Client {
	lf, err := langfuse.New(langfuse.WithConsoleWriter(w), langfuse.AsDefault(false))
	if err != nil {
		log.Printf("langfuse: %v", err)
	}
	return lf
}

// shutdown sends, or prints, what is left; a failure is worth a line.
func shutdown(lf *langfuse.Client) {
	if err := lf.Shutdown(context.Background()); err != nil {
		log.Printf("langfuse: %v", err)
	}
}

// newServer returns the MCP server: its middleware continues the trace
// of each call and records the server's side of it.
func newServer() *mcp.Server {
	server := mcp.NewServer(&mcp.Implementation{Name: "travel-tools", Version: "v1.0.0"}, nil)
	server.AddReceivingMiddleware(langfusemcp.ServerMiddleware())
	mcp.AddTool(server, &mcp.Tool{Name: "forecast", Description: "The weather in a city."}, forecast)
	mcp.AddTool(server, &mcp.Tool{Name: "book-hotel", Description: "Books a hotel room."}, bookHotel)
	return server
}

type forecastIn struct {
	City string `json:"city"`
}

type forecastOut struct {
	Summary string  `json:"summary"`
	TempC   float64 `json:"temp_c"`
}

// forecast reads a weather station, an observation of its own that nests
// under the server's side of the call.
func forecast(ctx context.Context, _ *mcp.CallToolRequest, in forecastIn) (*mcp.CallToolResult, forecastOut, error) {
	_, station := observe.Start(ctx, "read-station", observe.WithInput(in.City))
	out := forecastOut{Summary: "sunny", TempC: 24}
	station.End(observe.WithOutput(out))
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "Sunny in " + in.City + ", 24 °C"}}}, out, nil
}

type bookingIn struct {
	City   string `json:"city"`
	Nights int    `json:"nights"`
}

// bookHotel fails: the SDK answers the error as a result with isError.
func bookHotel(context.Context, *mcp.CallToolRequest, bookingIn) (*mcp.CallToolResult, any, error) {
	return nil, nil, errors.New("no rooms left for those dates")
}

// text is the text of a result's first content.
func text(res *mcp.CallToolResult) string {
	if len(res.Content) > 0 {
		if t, ok := res.Content[0].(*mcp.TextContent); ok {
			return t.Text
		}
	}
	return ""
}
