// Command bedrock records calls of the AWS SDK for Go v2's Bedrock
// Runtime client as Langfuse generations with the langfusebedrock
// transport: one Converse answer read whole, one ConverseStream answer
// streamed, both under the observation of the request that asked for
// them.
//
// It needs no AWS account and no network: it answers the calls with a
// stand-in for the Bedrock Runtime API on 127.0.0.1, signed for with
// made-up static credentials. With LANGFUSE_PUBLIC_KEY and
// LANGFUSE_SECRET_KEY set it sends the trace to Langfuse; without them it
// prints the trace tree to stdout.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/observe-go/langfuse"
	langfusebedrock "github.com/observe-go/langfuse/integrations/bedrock"
	"github.com/observe-go/langfuse/observe"
)

const model = "anthropic.claude-3-5-haiku-20241022-v1:0"

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run makes the two calls and prints the answers, and the trace when no
// Langfuse keys are set, to w.
func run(ctx context.Context, w io.Writer) error {
	api := httptest.NewServer(http.HandlerFunc(fakeBedrock))
	defer api.Close()

	lf, err := langfuse.New(langfuse.WithConsoleWriter(w), langfuse.AsDefault(false))
	if err != nil {
		log.Printf("langfuse: %v", err)
	}
	defer func() {
		// Shutdown sends, or prints, what is left; a failure is worth a line.
		if err := lf.Shutdown(context.Background()); err != nil {
			log.Printf("langfuse: %v", err)
		}
	}()
	ctx = lf.Context(ctx)

	// The SDK with only the transport added (and the stand-in's address
	// and credentials it accepts; a program takes both from
	// config.LoadDefaultConfig and bedrockruntime.NewFromConfig).
	client := bedrockruntime.New(bedrockruntime.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(api.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "example-secret", SessionToken: "example-session-token"}, nil
		}),
		HTTPClient: &http.Client{Transport: langfusebedrock.NewTransport(nil,
			// Options of package observe for every call the transport records.
			langfusebedrock.WithObservationOptions(observe.WithMetadata(map[string]any{"feature": "trips"})))},
	})

	ctx, span := observe.Start(ctx, "plan-trip", observe.AsType(observe.TypeAgent))
	defer span.End()

	out, err := client.Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId:         aws.String(model),
		System:          []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: "You are a travel assistant."}},
		Messages:        userMessage("Name one sight in Lisbon."),
		InferenceConfig: &types.InferenceConfiguration{MaxTokens: aws.Int32(256)},
	})
	if err != nil {
		return err
	}
	msg := out.Output.(*types.ConverseOutputMemberMessage).Value
	fmt.Fprintln(w, "answer:", msg.Content[0].(*types.ContentBlockMemberText).Value)

	streamOut, err := client.ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{
		ModelId:  aws.String(model),
		Messages: userMessage("And one in Porto?"),
	})
	if err != nil {
		return err
	}
	stream := streamOut.GetStream()
	var text strings.Builder
	for ev := range stream.Events() {
		if d, ok := ev.(*types.ConverseStreamOutputMemberContentBlockDelta); ok {
			if t, ok := d.Value.Delta.(*types.ContentBlockDeltaMemberText); ok {
				text.WriteString(t.Value)
			}
		}
	}
	if err := stream.Close(); err != nil {
		return err
	}
	fmt.Fprintln(w, "streamed:", text.String())
	span.End(observe.WithOutput(text.String()))
	return nil
}

func userMessage(text string) []types.Message {
	return []types.Message{{Role: types.ConversationRoleUser,
		Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: text}}}}
}

// fakeBedrock answers POST /model/{id}/converse as Bedrock does with a
// whole answer as JSON, and /model/{id}/converse-stream with AWS
// event-stream messages.
func fakeBedrock(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/model/" + model + "/converse":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"output":{"message":{"role":"assistant","content":[{"text":"The Belém Tower."}]}},`+
			`"stopReason":"end_turn","usage":{"inputTokens":21,"outputTokens":7,"totalTokens":28},"metrics":{"latencyMs":240}}`)
	case "/model/" + model + "/converse-stream":
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		enc := eventstream.NewEncoder()
		for _, e := range [][2]string{
			{"messageStart", `{"role":"assistant"}`},
			{"contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"The Dom Luís I "}}`},
			{"contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"Bridge."}}`},
			{"contentBlockStop", `{"contentBlockIndex":0}`},
			{"messageStop", `{"stopReason":"end_turn"}`},
			{"metadata", `{"usage":{"inputTokens":14,"outputTokens":8,"totalTokens":22},"metrics":{"latencyMs":310}}`},
		} {
			var msg eventstream.Message
			msg.Headers.Set(":message-type", eventstream.StringValue("event"))
			msg.Headers.Set(":event-type", eventstream.StringValue(e[0]))
			msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
			msg.Payload = []byte(e[1])
			var b bytes.Buffer
			if err := enc.Encode(&b, msg); err != nil {
				return
			}
			_, _ = w.Write(b.Bytes())
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", "UnknownOperationException")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"Not found"}`)
	}
}
