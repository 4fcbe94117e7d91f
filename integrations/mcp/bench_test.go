package langfusemcp_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/observe-go/langfuse/config"
	langfusemcp "github.com/observe-go/langfuse/integrations/mcp"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// benchPair connects a client and a server over in-memory transports,
// both observed or neither, each recording into a client of its own. The
// server has one tool, "echo", that answers with its argument as text.
func benchPair(b *testing.B, observed bool, cfg config.Config) (context.Context, *mcp.ClientSession, []*langfusetest.Recorder) {
	clientRec, serverRec := langfusetest.NewRecorder(), langfusetest.NewRecorder()
	clientCtx, serverCtx := clientWith(b, cfg, clientRec), clientWith(b, cfg, serverRec)
	s := mcp.NewServer(&mcp.Implementation{Name: "bench"}, nil)
	c := mcp.NewClient(&mcp.Implementation{Name: "bench"}, nil)
	if observed {
		s.AddReceivingMiddleware(langfusemcp.ServerMiddleware())
		c.AddSendingMiddleware(langfusemcp.ClientMiddleware())
	}
	type echoIn struct {
		Text string `json:"text"`
	}
	mcp.AddTool(s, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.CallToolRequest, in echoIn) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: in.Text}}}, nil, nil
	})
	return clientCtx, connect(b, serverCtx, s, c), []*langfusetest.Recorder{clientRec, serverRec}
}

// reportCPU reports the process's CPU time per operation since start, a
// figure that a machine shared with other work disturbs less than the
// time: client, server and exporter all run in this process.
// callTools is the timed loop of the tool call benchmarks: it calls the
// tool with params until b is done, emptying the recorders every
// resetEvery calls so that what they hold does not grow with b.N, and
// reports the process's CPU time per call.
func callTools(b *testing.B, ctx context.Context, cs *mcp.ClientSession, params *mcp.CallToolParams, recs []*langfusetest.Recorder, resetEvery int) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	cpu, ok := processCPU()
	for i := 0; b.Loop(); i++ {
		if _, err := cs.CallTool(ctx, params); err != nil {
			b.Fatal(err)
		}
		if i%resetEvery == resetEvery-1 {
			for _, r := range recs {
				r.Reset()
			}
		}
	}
	reportCPU(b, cpu, ok)
}

func reportCPU(b *testing.B, start time.Duration, ok bool) {
	if end, ok2 := processCPU(); ok && ok2 && b.N > 0 {
		b.ReportMetric(float64((end-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkToolCall makes one tools/call over the SDK's in-memory
// transports with the middleware on both sides (recording into an
// in-memory recorder) and without it.
func BenchmarkToolCall(b *testing.B) {
	for _, bc := range []struct {
		name     string
		observed bool
	}{{"without", false}, {"with", true}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx, cs, recs := benchPair(b, bc.observed, config.Default())
			params := &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "Sunny in Lisbon"}}
			callTools(b, ctx, cs, params, recs, 1000)
		})
	}
}

// BenchmarkToolCallLarge is BenchmarkToolCall with arguments and an
// answer far past the capture limit, here 4 KiB: what is recorded stops
// at the limit. The one cost of the middleware that grows with the size
// is the server's input, whose JSON capture compacts whole before it
// cuts it: a copy the size of the arguments, beside a call that the SDK
// makes some 60 times that size in allocations.
func BenchmarkToolCallLarge(b *testing.B) {
	cfg := config.Default()
	cfg.CaptureMaxBytes = 4 << 10
	for _, size := range []int{64 << 10, 512 << 10} {
		for _, bc := range []struct {
			name     string
			observed bool
		}{{"without", false}, {"with", true}} {
			b.Run(fmt.Sprintf("size=%dKiB/%s", size>>10, bc.name), func(b *testing.B) {
				ctx, cs, recs := benchPair(b, bc.observed, cfg)
				params := &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": strings.Repeat("a", size)}}
				callTools(b, ctx, cs, params, recs, 100)
			})
		}
	}
}

// BenchmarkMiddleware times the middleware alone around a handler that
// answers at once: the client's (start, copy of _meta with the trace
// context, output, end) and the server's (trace context read from _meta,
// start, input, output, end), each recording into an in-memory recorder,
// beside one observation with the same input and output made by hand.
func BenchmarkMiddleware(b *testing.B) {
	ctx, rec := langfusetest.New(b)
	res := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "Sunny in Lisbon"}}}
	next := fixedNext(res)
	for _, bc := range []struct {
		name string
		call func() (mcp.Result, error)
	}{
		{"client", func() (mcp.Result, error) {
			req := &mcp.ClientRequest[mcp.Params]{Session: &mcp.ClientSession{},
				Params: &mcp.CallToolParams{Name: "forecast", Arguments: map[string]any{"city": "Lisbon"}}}
			return langfusemcp.ClientMiddleware()(next)(ctx, "tools/call", req)
		}},
		{"server", func() (mcp.Result, error) {
			req := &mcp.CallToolRequest{Params: &mcp.CallToolParamsRaw{Name: "forecast", Arguments: []byte(`{"city":"Lisbon"}`),
				Meta: mcp.Meta{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}}
			return langfusemcp.ServerMiddleware()(next)(ctx, "tools/call", req)
		}},
		{"by-hand", func() (mcp.Result, error) {
			// The baseline: one tool observation with the same input and
			// output, made by hand.
			octx, o := observe.Start(ctx, "forecast", observe.AsType(observe.TypeTool),
				observe.WithInput(map[string]any{"city": "Lisbon"}))
			r, err := next(octx, "tools/call", nil)
			o.End(observe.WithOutput(r))
			return r, err
		}},
		{"bare", func() (mcp.Result, error) { return next(ctx, "tools/call", nil) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu, ok := processCPU()
			for i := 0; b.Loop(); i++ {
				if _, err := bc.call(); err != nil {
					b.Fatal(err)
				}
				if i%1000 == 999 {
					rec.Reset()
				}
			}
			reportCPU(b, cpu, ok)
		})
	}
}
