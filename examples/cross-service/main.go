// Command cross-service runs two HTTP services, a chat API and the
// retrieval service it calls, and records one request to both as one
// trace.
//
// The caller writes the W3C trace context of its current observation
// (traceparent) and the attributes it propagates with AsBaggage (W3C
// baggage) into the outgoing request with langfuse.InjectHTTP. The callee's
// langfuse.ObserveHandler joins the caller's trace from traceparent and,
// with observe.ReadBaggage(true), applies the langfuse_* baggage members as
// its own propagated attributes, so that its observations carry the same
// user, session and tags. A transport instrumented with OpenTelemetry,
// using the TraceContext and Baggage propagators, sends the same headers.
//
// Both services run in this process on 127.0.0.1, each on a port the
// system picks; in production they are separate programs, each with its
// own client. Without LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY each
// service's part of the trace is printed to stderr as its own tree, with
// the same trace id.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel/baggage"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	retrieval, stopRetrieval := serve(retrievalService())
	chat, stopChat := serve(chatService(retrieval))

	req, err := http.NewRequest(http.MethodGet, chat+"/ask?q="+url.QueryEscape("How do I reset my password?"), nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("X-User-Id", "user-42") // as an authenticating gateway would
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("chat service answered %d: %s\n", resp.StatusCode, strings.TrimSpace(string(answer)))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stopChat(ctx)
	stopRetrieval(ctx)
	if err := lf.Shutdown(ctx); err != nil {
		log.Fatal(err)
	}
}

// chatService answers questions with documents from the retrieval service
// at retrievalURL.
func chatService(retrievalURL string) http.Handler {
	client := &http.Client{Timeout: 5 * time.Second}

	searchDocs := langfuse.Observe1("search-docs", func(ctx context.Context, q string) ([]string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, retrievalURL+"/search?q="+url.QueryEscape(q), nil)
		if err != nil {
			return nil, err
		}
		// traceparent names this observation as the parent of the
		// retrieval service's; baggage carries user, session and tags.
		langfuse.InjectHTTP(ctx, req.Header)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("retrieval service: %s", resp.Status)
		}
		var docs []string
		return docs, json.NewDecoder(resp.Body).Decode(&docs)
	}, observe.AsType(observe.TypeTool))

	generate := langfuse.Observe2("generate", func(ctx context.Context, q string, docs []string) (string, error) {
		observe.UpdateCurrent(ctx, observe.WithUsage(map[string]int{"input": 35, "output": 12}))
		return "Use \"Forgot password\" on the sign-in page.", nil
	}, observe.AsType(observe.TypeGeneration), observe.WithModel("gpt-4o-mini"), observe.ArgNames("question", "docs"))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /ask", func(w http.ResponseWriter, r *http.Request) {
		// AsBaggage: these attributes go to the services this one calls.
		ctx := observe.PropagateAttributes(r.Context(), observe.Attributes{
			UserID:    r.Header.Get("X-User-Id"),
			SessionID: "chat-7",
			TraceName: "ask",
			Tags:      []string{"cross-service"},
			AsBaggage: true,
		})
		q := r.URL.Query().Get("q")
		docs, err := searchDocs(ctx, q)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		answer, err := generate(ctx, q, docs)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, answer)
	})
	return langfuse.ObserveHandler("", mux, observe.AsType(observe.TypeAgent))
}

// retrievalService finds documents. It trusts its caller's baggage: it is
// reachable only from the chat service.
func retrievalService() http.Handler {
	rank := langfuse.Observe1("rank", func(ctx context.Context, q string) ([]string, error) {
		return []string{"Passwords are reset from the sign-in page."}, nil
	}, observe.AsType(observe.TypeRetriever))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /search", func(w http.ResponseWriter, r *http.Request) {
		fmt.Printf("retrieval service got traceparent %s, baggage %s\n",
			r.Header.Get("traceparent"), sortedBaggage(r.Context()))
		docs, err := rank(r.Context(), r.URL.Query().Get("q"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(docs)
	})
	return langfuse.ObserveHandler("", mux, observe.ReadBaggage(true))
}

// sortedBaggage lists the baggage members in ctx by key, as the header
// keeps no order.
func sortedBaggage(ctx context.Context) string {
	var members []string
	for _, m := range baggage.FromContext(ctx).Members() {
		members = append(members, m.String())
	}
	slices.Sort(members)
	return strings.Join(members, ",")
}

// serve serves h on 127.0.0.1 with a port the system picks and returns its
// base URL and a function that stops it.
func serve(h http.Handler) (string, func(context.Context)) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Print(err)
		}
	}()
	return "http://" + ln.Addr().String(), func(ctx context.Context) {
		if err := srv.Shutdown(ctx); err != nil {
			log.Print(err)
		}
	}
}
