// Command http-server observes an HTTP server with
// langfuse.ObserveHandler: every request is one observation, and
// observations started with the request's context nest below it.
//
// The handler wraps a whole http.ServeMux, so each observation is named
// after the pattern that matched ("GET /items/{id}"), or "METHOD /path"
// when none did. The input is the method, path and query (never headers);
// the output is what the handler answers, which it sets itself, and which
// Langfuse shows as the trace's output; the status code goes in the
// http.response.status_code attribute, and a 5xx status sets level ERROR.
//
// The program serves on 127.0.0.1 with a port the system picks, makes a
// few requests itself, and shuts down. Without LANGFUSE_PUBLIC_KEY and
// LANGFUSE_SECRET_KEY the trace trees are printed to stderr.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
)

var errNotFound = errors.New("no such item")

// loadItem is called with the request's context, so it nests under the
// request's observation.
var loadItem = langfuse.Observe1("load-item", func(ctx context.Context, id string) (string, error) {
	if id != "1" {
		return "", errNotFound
	}
	return "lamp", nil
}, observe.AsType(observe.TypeRetriever))

func main() {
	lf, err := langfuse.New()
	if err != nil {
		log.Printf("langfuse: %v", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		item, err := loadItem(r.Context(), r.PathValue("id"))
		if errors.Is(err, errNotFound) {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		// The answer is the request's output, and so the trace's.
		observe.UpdateCurrent(r.Context(), observe.WithOutput(item))
		fmt.Fprintln(w, item)
	})
	mux.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "report backend down", http.StatusInternalServerError)
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: langfuse.ObserveHandler("", mux), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Print(err)
		}
	}()

	base := "http://" + ln.Addr().String()
	for _, path := range []string{"/items/1?fields=name", "/items/7", "/admin", "/report"} {
		resp, err := http.Get(base + path)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("GET %s: %d %s\n", path, resp.StatusCode, strings.TrimSpace(string(body)))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Stop the server first, so that no request is still being observed
	// when the client shuts down.
	if err := srv.Shutdown(ctx); err != nil {
		log.Print(err)
	}
	if err := lf.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
