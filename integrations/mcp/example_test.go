package langfusemcp_test

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/observe-go/langfuse"
	langfusemcp "github.com/observe-go/langfuse/integrations/mcp"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// The client's middleware records the call and sends its trace context;
// the server's continues the trace, so the tool's own work nests under
// the call. Client and server run in one process here, over the SDK's
// in-memory transports, and a recorder takes the place of Langfuse.
func Example() {
	rec := langfusetest.NewRecorder()
	lf, _ := langfuse.New(langfuse.WithSpanExporter(rec), langfuse.AsDefault(false))
	ctx := lf.Context(context.Background())

	server := mcp.NewServer(&mcp.Implementation{Name: "weather"}, nil)
	server.AddReceivingMiddleware(langfusemcp.ServerMiddleware())
	mcp.AddTool(server, &mcp.Tool{Name: "forecast", Description: "The weather in a city."},
		func(ctx context.Context, _ *mcp.CallToolRequest, in struct {
			City string `json:"city"`
		}) (*mcp.CallToolResult, any, error) {
			_, span := observe.Start(ctx, "read-station")
			span.End()
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "Sunny in " + in.City}}}, nil, nil
		})

	client := mcp.NewClient(&mcp.Implementation{Name: "agent"}, nil)
	client.AddSendingMiddleware(langfusemcp.ClientMiddleware())

	serverTransport, clientTransport := mcp.NewInMemoryTransports()
	serverSession, _ := server.Connect(ctx, serverTransport, nil)
	session, err := client.Connect(ctx, clientTransport, nil)
	if err != nil {
		fmt.Println(err)
		return
	}

	ctx, agent := observe.Start(ctx, "plan-trip", observe.AsType(observe.TypeAgent))
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Lisbon"}})
	agent.End()
	_ = session.Close()
	_ = serverSession.Wait()
	_ = lf.Shutdown(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Content[0].(*mcp.TextContent).Text)

	// The trace, parents first: both sides of the call, one trace.
	var printTree func(parentID, indent string)
	printTree = func(parentID, indent string) {
		for _, o := range rec.Observations() {
			if o.ParentID == parentID {
				fmt.Println(indent+o.Name, o.Type, o.TraceID == agent.TraceID())
				printTree(o.ID, indent+"  ")
			}
		}
	}
	printTree("", "")
	call := rec.FindAll("forecast")[1] // ended last: the client's
	fmt.Println(call.Input)
	fmt.Println(call.Output)
	// Output:
	// Sunny in Lisbon
	// plan-trip agent true
	//   forecast tool true
	//     forecast tool true
	//       read-station span true
	// {"city":"Lisbon"}
	// {"content":[{"type":"text","text":"Sunny in Lisbon"}]}
}
