package langfuse_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

func ExampleObserveHandler() {
	rec := langfusetest.NewRecorder()
	lf, _ := langfuse.New(langfuse.WithSpanExporter(rec))

	mux := http.NewServeMux()
	// With no name, the observation is named after the matched pattern.
	mux.Handle("GET /items/{id}", langfuse.ObserveHandler("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// r.Context() carries the request's observation; what the handler
		// answers is its output, which Langfuse shows as the trace's.
		answer := "item " + r.PathValue("id")
		observe.UpdateCurrent(r.Context(), observe.WithMetadata(map[string]any{"item": r.PathValue("id")}),
			observe.WithOutput(answer))
		fmt.Fprintln(w, answer)
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := srv.Client().Get(srv.URL + "/items/7?fields=name")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	fmt.Print(string(body))

	_ = lf.Shutdown(context.Background())
	o, _ := rec.Find("GET /items/{id}")
	fmt.Println(o.Name, o.Input, o.Metadata["item"].AsString())
	fmt.Println(o.Output, o.Attr("http.response.status_code"), o.Attr("http.route"))
	// Output:
	// item 7
	// GET /items/{id} {"method":"GET","path":"/items/7","query":"fields=name"} 7
	// item 7 200 /items/{id}
}

func ExampleInjectHTTP() {
	lf, _ := langfuse.New(langfuse.WithSpanExporter(langfusetest.NewRecorder()))
	defer func() { _ = lf.Shutdown(context.Background()) }()

	ctx, o := observe.Start(context.Background(), "call-search-service")
	defer o.End()
	// AsBaggage sends the attributes on to the services this one calls;
	// they read them with observe.ReadBaggage(true).
	ctx = observe.PropagateAttributes(ctx, observe.Attributes{UserID: "user-1", AsBaggage: true})

	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://search.internal/query", nil)
	langfuse.InjectHTTP(ctx, req.Header)
	fmt.Println(req.Header.Get("traceparent") == "00-"+o.TraceID()+"-"+o.ID()+"-01")
	fmt.Println(req.Header.Get("baggage"))
	// Output:
	// true
	// langfuse_user_id=user-1
}
