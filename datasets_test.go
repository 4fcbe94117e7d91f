package langfuse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
)

const (
	testPublicKey = "pk-lf-datasets"
	testSecretKey = "sk-lf-datasets-secret"
)

// fakeDatasets is a server shaped like Langfuse's dataset API: one
// dataset, "qa", of n items served in pages, dataset and item creation,
// and run items, all behind Basic auth with the test keys. hook, when
// set, answers a request first (return true when it did).
type fakeDatasets struct {
	t     *testing.T
	n     int
	mu    sync.Mutex
	reqs  []*http.Request
	posts []map[string]any
	hook  func(w http.ResponseWriter, r *http.Request) bool
}

func newFakeDatasets(t *testing.T, n int) (*fakeDatasets, *httptest.Server) {
	f := &fakeDatasets{t: t, n: n}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeDatasets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.reqs = append(f.reqs, r)
	hook := f.hook
	f.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	if pk, sk, ok := r.BasicAuth(); !ok || pk != testPublicKey || sk != testSecretKey {
		http.Error(w, `{"message":"Invalid credentials"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/public/v2/datasets/qa":
		fmt.Fprint(w, `{"id":"ds-1","projectId":"p","name":"qa","description":null,"metadata":{"owner":"team"},
			"inputSchema":null,"expectedOutputSchema":null,"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-02T00:00:00.000Z"}`)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/public/v2/datasets/"):
		http.Error(w, `{"message":"Dataset not found"}`, http.StatusNotFound)
	case r.Method == http.MethodGet && r.URL.Path == "/api/public/dataset-items":
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		var data []map[string]any
		for i := (page - 1) * limit; i < page*limit && i < f.n; i++ {
			data = append(data, map[string]any{
				"id": fmt.Sprintf("item-%d", i), "datasetId": "ds-1", "datasetName": "qa", "status": "ACTIVE",
				"input": map[string]any{"q": fmt.Sprintf("question %d", i)}, "expectedOutput": fmt.Sprintf("answer %d", i),
				"metadata": nil, "sourceTraceId": nil, "sourceObservationId": nil,
				"createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z", "mediaReferences": []any{},
			})
		}
		pages := (f.n + limit - 1) / limit
		_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "meta": map[string]any{"page": page, "limit": limit, "totalItems": f.n, "totalPages": pages}})
	case r.Method == http.MethodPost:
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.posts = append(f.posts, body)
		f.mu.Unlock()
		switch r.URL.Path {
		case "/api/public/v2/datasets":
			fmt.Fprintf(w, `{"id":"ds-2","projectId":"p","name":%q,"description":%q,"metadata":null,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}`,
				body["name"], body["description"])
		case "/api/public/dataset-items":
			_ = json.NewEncoder(w).Encode(map[string]any{"id": "item-new", "datasetId": "ds-2", "datasetName": body["datasetName"],
				"status": "ACTIVE", "input": body["input"], "expectedOutput": body["expectedOutput"], "metadata": body["metadata"],
				"createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"})
		case "/api/public/dataset-run-items":
			fmt.Fprintf(w, `{"id":"ri-1","datasetRunId":"run-1","datasetRunName":%q,"datasetItemId":%q,"traceId":%q,"observationId":null,
				"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}`, body["runName"], body["datasetItemId"], body["traceId"])
		default:
			http.NotFound(w, r)
		}
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeDatasets) requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.reqs...)
}

// datasetClient returns a client with the test keys whose API calls go
// to base, recording its spans and scores in a recorder.
func datasetClient(t *testing.T, base string) *langfuse.Client {
	t.Helper()
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = testPublicKey, testSecretKey, base
	cfg.Timeout = 10 * time.Second
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(langfusetest.NewRecorder()), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c
}

func TestDatasetFetchesEveryPage(t *testing.T) {
	f, srv := newFakeDatasets(t, 7)
	c := datasetClient(t, srv.URL)
	ds, err := c.Dataset(context.Background(), "qa", langfuse.DatasetPageSize(3))
	require.NoError(t, err)
	assert.Equal(t, "ds-1", ds.ID)
	assert.Equal(t, "qa", ds.Name)
	assert.JSONEq(t, `{"owner":"team"}`, string(ds.Metadata))
	require.Len(t, ds.Items, 7)
	for i, it := range ds.Items {
		assert.Equal(t, fmt.Sprintf("item-%d", i), it.ID)
		assert.Equal(t, "ds-1", it.DatasetID)
		assert.JSONEq(t, fmt.Sprintf(`{"q":"question %d"}`, i), string(it.Input))
		assert.Nil(t, it.Metadata, "JSON null is nil")
	}
	reqs := f.requests()
	require.Len(t, reqs, 4, "the dataset, then pages 1 to 3")
	for i, r := range reqs[1:] {
		assert.Equal(t, strconv.Itoa(i+1), r.URL.Query().Get("page"))
		assert.Equal(t, "3", r.URL.Query().Get("limit"))
		assert.Equal(t, "qa", r.URL.Query().Get("datasetName"))
	}
	assert.Equal(t, "langfuse-go", reqs[0].Header.Get("x-langfuse-sdk-name"))
	assert.Equal(t, testPublicKey, reqs[0].Header.Get("x-langfuse-public-key"))
}

func TestDatasetAtAVersion(t *testing.T) {
	f, srv := newFakeDatasets(t, 1)
	c := datasetClient(t, srv.URL)
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))
	ds, err := c.Dataset(context.Background(), "qa", langfuse.DatasetVersion(at))
	require.NoError(t, err)
	assert.True(t, ds.Version.Equal(at))
	assert.Equal(t, "2026-03-04T04:06:07.000Z", f.requests()[1].URL.Query().Get("version"))
}

func TestDatasetNameIsPathEscaped(t *testing.T) {
	f, srv := newFakeDatasets(t, 0)
	c := datasetClient(t, srv.URL)
	_, err := c.Dataset(context.Background(), "team/qa?x")
	require.ErrorIs(t, err, langfuse.ErrNotFound)
	assert.Equal(t, "/api/public/v2/datasets/team%2Fqa%3Fx", f.requests()[0].URL.EscapedPath())
}

func TestDatasetErrors(t *testing.T) {
	t.Run("404 is ErrNotFound", func(t *testing.T) {
		_, srv := newFakeDatasets(t, 0)
		_, err := datasetClient(t, srv.URL).Dataset(context.Background(), "missing")
		require.ErrorIs(t, err, langfuse.ErrNotFound)
		var ae *langfuse.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, http.StatusNotFound, ae.StatusCode)
		assert.Contains(t, err.Error(), "Dataset not found")
	})
	t.Run("401 names the status and is not retried", func(t *testing.T) {
		f, srv := newFakeDatasets(t, 0)
		cfg := config.Default()
		cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = testPublicKey, "sk-lf-wrong", srv.URL
		c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(langfusetest.NewRecorder()), langfuse.AsDefault(false))
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
		_, err = c.Dataset(context.Background(), "qa")
		var ae *langfuse.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, http.StatusUnauthorized, ae.StatusCode)
		assert.Len(t, f.requests(), 1)
		assert.NotContains(t, err.Error(), "sk-lf-wrong")
	})
	t.Run("no keys", func(t *testing.T) {
		cfg := config.Default()
		c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(langfusetest.NewRecorder()), langfuse.AsDefault(false))
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
		_, err = c.Dataset(context.Background(), "qa")
		require.ErrorIs(t, err, langfuse.ErrNoKeys)
		_, err = langfuse.GetDataset(context.Background(), "qa")
		require.ErrorIs(t, err, langfuse.ErrNoKeys, "no client at all")
	})
	t.Run("bad arguments", func(t *testing.T) {
		c := datasetClient(t, "http://127.0.0.1:1")
		_, err := c.Dataset(context.Background(), "")
		require.ErrorIs(t, err, langfuse.ErrInvalidDataset)
		_, err = c.Dataset(context.Background(), "qa", langfuse.DatasetPageSize(101))
		require.ErrorIs(t, err, langfuse.ErrInvalidDataset)
		_, err = c.CreateDatasetRunItem(context.Background(), langfuse.DatasetRunItem{RunName: "r", DatasetItemID: "i"})
		require.ErrorIs(t, err, langfuse.ErrInvalidDataset)
		_, err = c.CreateDatasetItem(context.Background(), langfuse.DatasetItemDraft{DatasetName: "qa", Status: "GONE"})
		require.ErrorIs(t, err, langfuse.ErrInvalidDataset)
	})
	t.Run("429 waits for Retry-After, then succeeds", func(t *testing.T) {
		f, srv := newFakeDatasets(t, 1)
		var n atomic.Int32
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			if n.Add(1) <= 2 {
				w.Header().Set("Retry-After", "0")
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return true
			}
			return false
		}
		ds, err := datasetClient(t, srv.URL).Dataset(context.Background(), "qa")
		require.NoError(t, err)
		assert.Len(t, ds.Items, 1)
		assert.Len(t, f.requests(), 4, "two 429s, then the dataset and its page")
	})
	t.Run("429 longer than ctx allows ends the call at once", func(t *testing.T) {
		f, srv := newFakeDatasets(t, 1)
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return true
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := datasetClient(t, srv.URL).Dataset(ctx, "qa")
		var ae *langfuse.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, http.StatusTooManyRequests, ae.StatusCode)
		assert.Len(t, f.requests(), 1)
	})
	t.Run("5xx is retried three times, then named", func(t *testing.T) {
		f, srv := newFakeDatasets(t, 1)
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "boom", http.StatusBadGateway)
			return true
		}
		_, err := datasetClient(t, srv.URL).Dataset(context.Background(), "qa")
		var ae *langfuse.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, http.StatusBadGateway, ae.StatusCode)
		assert.Len(t, f.requests(), 3)
	})
	t.Run("a POST is not retried after a 5xx", func(t *testing.T) {
		f, srv := newFakeDatasets(t, 1)
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, "boom", http.StatusInternalServerError)
			return true
		}
		_, err := datasetClient(t, srv.URL).CreateDatasetRunItem(context.Background(),
			langfuse.DatasetRunItem{RunName: "r", DatasetItemID: "i", TraceID: "t"})
		require.Error(t, err)
		assert.Len(t, f.requests(), 1, "a run item sent twice could be stored twice")
	})
	t.Run("malformed JSON", func(t *testing.T) {
		f, srv := newFakeDatasets(t, 1)
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			fmt.Fprint(w, `{"id": "ds-1", "name": `)
			return true
		}
		_, err := datasetClient(t, srv.URL).Dataset(context.Background(), "qa")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not the JSON expected")
	})
	t.Run("huge answer is cut at the budget", func(t *testing.T) {
		langfuse.SetMaxAnswerBytes(t, 1<<20)
		f, srv := newFakeDatasets(t, 1)
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			chunk := []byte(strings.Repeat("x", 64<<10))
			for range 64 { // 4 MiB, four times the budget
				if _, err := w.Write(chunk); err != nil {
					break
				}
			}
			return true
		}
		_, err := datasetClient(t, srv.URL).Dataset(context.Background(), "qa")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "answer over 1048576 bytes")
	})
	t.Run("an echo of the credentials is redacted", func(t *testing.T) {
		f, srv := newFakeDatasets(t, 1)
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, "bad request: "+r.Header.Get("Authorization")+" secret="+testSecretKey, http.StatusBadRequest)
			return true
		}
		_, err := datasetClient(t, srv.URL).Dataset(context.Background(), "qa")
		require.Error(t, err)
		assert.NotContains(t, err.Error(), testSecretKey)
		auth := f.requests()[0].Header.Get("Authorization")
		assert.NotContains(t, err.Error(), strings.TrimPrefix(auth, "Basic "))
		assert.Contains(t, err.Error(), "[REDACTED]")
	})
	t.Run("a hanging server ends with ctx", func(t *testing.T) {
		arrived := make(chan struct{}, 1)
		f, srv := newFakeDatasets(t, 1)
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			arrived <- struct{}{}
			<-r.Context().Done() // hangs until the client gives up
			return true
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := datasetClient(t, srv.URL).Dataset(ctx, "qa")
			done <- err
		}()
		<-arrived // cancel once the request is at the server
		cancel()
		err := <-done
		require.ErrorIs(t, err, context.Canceled)
	})
}

func TestDatasetRedirects(t *testing.T) {
	t.Run("to another origin is refused", func(t *testing.T) {
		other, otherSrv := newFakeDatasets(t, 1)
		f, srv := newFakeDatasets(t, 1)
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			http.Redirect(w, r, otherSrv.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			return true
		}
		_, err := datasetClient(t, srv.URL).Dataset(context.Background(), "qa")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "another origin")
		assert.Empty(t, other.requests(), "the credentials never reach the other origin")
	})
	t.Run("a POST turned into a GET is refused", func(t *testing.T) {
		f, srv := newFakeDatasets(t, 1)
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == http.MethodPost {
				http.Redirect(w, r, "/api/public/v2/datasets/qa", http.StatusFound)
				return true
			}
			return false
		}
		_, err := datasetClient(t, srv.URL).CreateDataset(context.Background(), langfuse.DatasetDraft{Name: "qa"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "the POST would go again as a GET")
		assert.Len(t, f.requests(), 1)
	})
	t.Run("a GET on the same origin is followed", func(t *testing.T) {
		f, srv := newFakeDatasets(t, 1)
		f.hook = func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path == "/api/public/v2/datasets/old" {
				http.Redirect(w, r, "/api/public/v2/datasets/qa", http.StatusMovedPermanently)
				return true
			}
			return false
		}
		ds, err := datasetClient(t, srv.URL).Dataset(context.Background(), "old")
		require.NoError(t, err)
		assert.Equal(t, "ds-1", ds.ID)
	})
}

func TestCreateDatasetAndItems(t *testing.T) {
	f, srv := newFakeDatasets(t, 0)
	c := datasetClient(t, srv.URL)
	ctx := context.Background()
	ds, err := c.CreateDataset(ctx, langfuse.DatasetDraft{Name: "capitals", Description: "countries", Metadata: map[string]any{"v": 1}})
	require.NoError(t, err)
	assert.Equal(t, "ds-2", ds.ID)
	assert.Equal(t, "countries", ds.Description)
	it, err := c.CreateDatasetItem(ctx, langfuse.DatasetItemDraft{DatasetName: "capitals", Input: "France", ExpectedOutput: "Paris",
		Metadata: map[string]any{"continent": "Europe"}})
	require.NoError(t, err)
	assert.Equal(t, "item-new", it.ID)
	assert.JSONEq(t, `"France"`, string(it.Input))
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	run, err := c.CreateDatasetRunItem(ctx, langfuse.DatasetRunItem{RunName: "run a", DatasetItemID: "item-new",
		TraceID: strings.Repeat("a", 32), ObservationID: strings.Repeat("b", 16), DatasetVersion: at, Metadata: map[string]any{"model": "m"}})
	require.NoError(t, err)
	assert.Equal(t, "run-1", run)

	f.mu.Lock()
	defer f.mu.Unlock()
	require.Len(t, f.posts, 3)
	assert.Equal(t, map[string]any{"name": "capitals", "description": "countries", "metadata": map[string]any{"v": 1.0}}, f.posts[0])
	assert.Equal(t, map[string]any{"datasetName": "capitals", "input": "France", "expectedOutput": "Paris",
		"metadata": map[string]any{"continent": "Europe"}}, f.posts[1])
	assert.Equal(t, map[string]any{"runName": "run a", "datasetItemId": "item-new", "traceId": strings.Repeat("a", 32),
		"observationId": strings.Repeat("b", 16), "datasetVersion": "2026-01-02T03:04:05.000Z", "metadata": map[string]any{"model": "m"}}, f.posts[2])
}

func TestGetDatasetGoesThroughTheClientOfCtx(t *testing.T) {
	_, srv := newFakeDatasets(t, 2)
	c := datasetClient(t, srv.URL)
	ds, err := langfuse.GetDataset(c.Context(context.Background()), "qa")
	require.NoError(t, err)
	assert.Len(t, ds.Items, 2)
}

// TestDatasetGoesThroughWithHTTPClient checks that the dataset calls use
// the program's client of WithHTTPClient, here the only one that trusts
// the server's certificate, with the SDK headers.
func TestDatasetGoesThroughWithHTTPClient(t *testing.T) {
	f := &fakeDatasets{t: t, n: 2}
	srv := httptest.NewUnstartedServer(f)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake of the client without the CA
	srv.StartTLS()
	t.Cleanup(srv.Close)
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = testPublicKey, testSecretKey, srv.URL

	plain, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(langfusetest.NewRecorder()), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = plain.Shutdown(context.Background()) })
	_, err = plain.Dataset(context.Background(), "qa")
	require.Error(t, err, "without the program's client the certificate is not trusted")
	assert.Empty(t, f.requests())

	tr := &countingTransport{next: srv.Client().Transport}
	hc := &http.Client{Transport: tr}
	c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(langfusetest.NewRecorder()),
		langfuse.AsDefault(false), langfuse.WithHTTPClient(hc))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	ds, err := c.Dataset(context.Background(), "qa")
	require.NoError(t, err)
	assert.Len(t, ds.Items, 2)
	assert.EqualValues(t, 2, tr.n.Load(), "the dataset and its page, through the program's transport")
	assert.Equal(t, "langfuse-go", f.requests()[0].Header.Get("x-langfuse-sdk-name"))
	assert.Nil(t, hc.CheckRedirect, "the program's client is not changed")
}

// TestDatasetsLoadWithTracingDisabled checks that a client with tracing
// off still reaches the dataset API, directly, through a ctx bound to it
// and as the default client.
func TestDatasetsLoadWithTracingDisabled(t *testing.T) {
	_, srv := newFakeDatasets(t, 1)
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = testPublicKey, testSecretKey, srv.URL
	cfg.TracingEnabled = false
	c, err := langfuse.New(langfuse.WithConfig(cfg))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })

	ds, err := c.Dataset(context.Background(), "qa")
	require.NoError(t, err)
	assert.Len(t, ds.Items, 1)
	_, err = langfuse.GetDataset(c.Context(context.Background()), "qa")
	require.NoError(t, err, "through a ctx bound to it")
	_, err = langfuse.GetDataset(context.Background(), "qa")
	require.NoError(t, err, "as the default client")
}

// TestDatasetCallsFailClosedOnABadDestination checks that a malformed
// LANGFUSE_BASE_URL with keys set sends the keys nowhere, not to the
// default server.
func TestDatasetCallsFailClosedOnABadDestination(t *testing.T) {
	t.Setenv(config.EnvPublicKey, testPublicKey)
	t.Setenv(config.EnvSecretKey, testSecretKey)
	t.Setenv(config.EnvBaseURL, "127.0.0.1:4000") // no scheme
	c, err := langfuse.New(langfuse.AsDefault(false))
	require.ErrorIs(t, err, config.ErrDestination)
	require.NotNil(t, c)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	_, err = c.Dataset(context.Background(), "qa")
	require.ErrorIs(t, err, config.ErrDestination)
	assert.NotContains(t, err.Error(), testSecretKey)
}

// countingTransport counts the requests it passes on.
type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}
