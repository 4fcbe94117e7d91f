// Command prompts uses prompts managed in Langfuse: it fetches them,
// fills in their variables and links each generation to the prompt
// version it used, so that Langfuse shows cost and quality per version.
//
//   - Client.PrefetchPrompts fills the cache at start-up; GetPrompt then
//     serves each prompt from memory, refreshed in the background.
//   - Compile fills in a text prompt's {{variables}}; CompileChat a chat
//     prompt's, with the conversation so far in its placeholder.
//   - prompt.ConfigAs reads the model settings kept beside the prompt.
//   - observe.FromPrompt links a generation to the prompt's name and
//     version; a Fallback, served when a prompt cannot be fetched, is
//     never linked.
//
// It needs no network: without LANGFUSE_PUBLIC_KEY and
// LANGFUSE_SECRET_KEY it starts a stand-in for Langfuse's prompts API on
// 127.0.0.1 and prints the trace to stderr. With them it asks Langfuse,
// where support/answer and support/chat are served if they exist (their
// fallbacks otherwise), and sends the trace there.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/prompt"
	"github.com/observe-go/langfuse/tracing"
)

// modelConfig is what the team keeps in a prompt's config.
type modelConfig struct {
	Model       string  `json:"model"`
	Temperature float64 `json:"temperature"`
}

func main() {
	ctx := context.Background()
	var opts []langfuse.Option
	if os.Getenv(config.EnvPublicKey) == "" {
		base, stop, err := startStandIn()
		if err != nil {
			log.Fatal(err)
		}
		defer stop()
		cfg, err := config.FromEnv()
		if err != nil {
			log.Printf("langfuse: %v", err)
		}
		cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = standInPublicKey, standInSecretKey, base
		cfg.ExportMode = config.ExportImmediate
		opts = append(opts, langfuse.WithConfig(cfg), langfuse.WithSpanExporter(tracing.NewConsoleExporter(os.Stderr)))
	}
	lf, err := langfuse.New(opts...)
	if err != nil {
		log.Printf("langfuse: %v", err)
	}
	if err := lf.PrefetchPrompts(ctx, "support/answer", "support/chat"); err != nil {
		log.Printf("langfuse: %v", err)
	}

	answer(ctx, "How do I download an invoice?")
	chat(ctx, "Can I change my plan?")

	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := lf.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// answer answers a question with the text prompt support/answer.
func answer(ctx context.Context, question string) {
	ctx, span := observe.Start(ctx, "answer-question", observe.WithInput(question))
	defer span.End()

	p, err := langfuse.GetPrompt(ctx, "support/answer",
		prompt.Fallback(prompt.Prompt{Text: "Answer this question: {{question}}", Config: json.RawMessage(`{"model":"stand-in"}`)}))
	if err != nil {
		span.RecordError(err)
		return
	}
	text, err := p.Compile(map[string]any{"question": question, "tone": "friendly"})
	if err != nil {
		span.RecordError(err) // a variable left out stays as written
	}
	mc, _ := prompt.ConfigAs[modelConfig](p)
	fmt.Printf("%s v%d, %s: %s\n", p.Name, p.Version, mc.Model, text)

	_, gen := observe.Start(ctx, "llm", observe.AsType(observe.TypeGeneration), observe.FromPrompt(p),
		observe.WithModel(mc.Model), observe.WithModelParameters(map[string]any{"temperature": mc.Temperature}),
		observe.WithInput(text))
	reply := "Open Billing, choose the invoice and click Download."
	gen.End(observe.WithOutput(reply), observe.WithUsage(map[string]int{"input": 21, "output": 11}))
	span.Update(observe.WithOutput(reply))
	fmt.Println("  ->", reply)
}

// chat continues a conversation with the chat prompt support/chat, and
// shows what a prompt that cannot be fetched gives: its fallback, which
// is not linked to the generation.
func chat(ctx context.Context, question string) {
	ctx, span := observe.Start(ctx, "chat-turn", observe.WithInput(question))
	defer span.End()
	history := []prompt.Message{{Role: "user", Content: "Hi"}, {Role: "assistant", Content: "Hello! How can I help?"}}

	for _, name := range []string{"support/chat", "support/chat-v2-draft"} {
		p, err := langfuse.GetPrompt(ctx, name, prompt.Fallback(prompt.Prompt{Messages: []prompt.Message{
			{Role: "system", Content: "You are a support assistant."},
			{Placeholder: "history"},
			{Role: "user", Content: "{{question}}"},
		}}))
		if err != nil {
			span.RecordError(err)
			return
		}
		msgs, err := p.CompileChat(map[string]any{"question": question, "product": "Acme"},
			map[string][]prompt.Message{"history": history})
		if err != nil {
			span.RecordError(err)
		}
		if p.IsFallback {
			fmt.Printf("%s: its fallback, %d messages (not linked)\n", name, len(msgs))
		} else {
			fmt.Printf("%s v%d: %d messages\n", p.Name, p.Version, len(msgs))
		}
		for _, m := range msgs {
			fmt.Printf("  %s: %s\n", m.Role, m.Content)
		}
		_, gen := observe.Start(ctx, "llm", observe.AsType(observe.TypeGeneration), observe.FromPrompt(p),
			observe.WithModel("stand-in"), observe.WithInput(msgs))
		gen.End(observe.WithOutput("Yes: Settings, then Plan."), observe.WithUsage(map[string]int{"input": 30, "output": 6}))
	}
	span.Update(observe.WithOutput("Yes: Settings, then Plan."))
}

// The stand-in's keys: a real program reads LANGFUSE_PUBLIC_KEY and
// LANGFUSE_SECRET_KEY.
const (
	standInPublicKey = "pk-lf-example"
	standInSecretKey = "sk-lf-example"
)

// standInPrompts are the prompts the stand-in serves, labelled
// production, as GET /api/public/v2/prompts/{name} answers them.
var standInPrompts = map[string]string{
	"support/answer": `{"name":"support/answer","version":3,"type":"text",
		"prompt":"Answer the customer's question in a {{tone}} tone: {{question}}",
		"config":{"model":"gpt-4o-mini","temperature":0.2},"labels":["production","latest"],"tags":["support"]}`,
	"support/chat": `{"name":"support/chat","version":7,"type":"chat",
		"prompt":[{"type":"chatmessage","role":"system","content":"You are the support assistant of {{product}}. Be concise."},
			{"type":"placeholder","name":"history"},
			{"type":"chatmessage","role":"user","content":"{{question}}"}],
		"config":{"model":"gpt-4o-mini"},"labels":["production"],"tags":["support"]}`,
}

// startStandIn serves standInPrompts on 127.0.0.1 as Langfuse's public
// API does, behind Basic auth with the stand-in's keys, and returns its
// base URL.
func startStandIn() (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(standIn), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func standIn(w http.ResponseWriter, r *http.Request) {
	if pk, sk, ok := r.BasicAuth(); !ok || pk != standInPublicKey || sk != standInSecretKey {
		http.Error(w, `{"message":"Invalid credentials"}`, http.StatusUnauthorized)
		return
	}
	escaped, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/public/v2/prompts/")
	name, err := url.PathUnescape(escaped)
	if r.Method != http.MethodGet || !ok || err != nil || r.URL.Query().Get("label") != "production" {
		http.NotFound(w, r)
		return
	}
	body, found := standInPrompts[name]
	if !found {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"LangfuseNotFoundError","message":"Prompt not found"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(body))
}
