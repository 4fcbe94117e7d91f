package langfuse_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// ingestion is a stand-in for Langfuse on 127.0.0.1: it takes OTLP
// exports, and checks score batches on the ingestion path as the API
// would, keeping each score body by event id.
type ingestion struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	events map[string]map[string]any
	posts  int
}

func newIngestion(t *testing.T) *ingestion {
	t.Helper()
	in := &ingestion{t: t, events: map[string]map[string]any{}}
	in.srv = httptest.NewServer(http.HandlerFunc(in.serve))
	t.Cleanup(in.srv.Close)
	return in
}

func (in *ingestion) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.URL.Path == config.TracesPath {
		w.WriteHeader(http.StatusOK)
		return
	}
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("pk-lf-1:sk-lf-1"))
	if !assert.Equal(in.t, "/api/public/ingestion", r.URL.Path) || !assert.Equal(in.t, http.MethodPost, r.Method) ||
		!assert.Equal(in.t, wantAuth, r.Header.Get("Authorization")) ||
		!assert.Equal(in.t, "application/json", r.Header.Get("Content-Type")) {
		http.Error(w, "refused", http.StatusBadRequest)
		return
	}
	var req struct {
		Batch []struct {
			ID        string         `json:"id"`
			Type      string         `json:"type"`
			Timestamp string         `json:"timestamp"`
			Body      map[string]any `json:"body"`
		} `json:"batch"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	require.NoError(in.t, dec.Decode(&req), "%s", body)
	type result struct {
		ID     string `json:"id"`
		Status int    `json:"status"`
	}
	reply := struct {
		Successes []result `json:"successes"`
		Errors    []result `json:"errors"`
	}{Successes: []result{}, Errors: []result{}}
	in.mu.Lock()
	in.posts++
	for _, e := range req.Batch {
		assert.Equal(in.t, "score-create", e.Type)
		assert.NotEmpty(in.t, e.ID)
		assert.NotEmpty(in.t, e.Timestamp)
		_, dup := in.events[e.ID]
		assert.False(in.t, dup, "event %s sent twice", e.ID)
		in.events[e.ID] = e.Body
		reply.Successes = append(reply.Successes, result{ID: e.ID, Status: 201})
	}
	in.mu.Unlock()
	w.WriteHeader(http.StatusMultiStatus)
	_ = json.NewEncoder(w).Encode(reply)
}

// byName returns the received score bodies by score name.
func (in *ingestion) byName() map[string]map[string]any {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := map[string]map[string]any{}
	for _, b := range in.events {
		name, _ := b["name"].(string)
		in.t.Helper()
		assert.NotContains(in.t, out, name, "score %q arrived twice", name)
		out[name] = b
	}
	return out
}

func keyedClient(t *testing.T, in *ingestion, opts ...langfuse.Option) *langfuse.Client {
	t.Helper()
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey, cfg.BaseURL = "pk-lf-1", "sk-lf-1", in.srv.URL
	cfg.Environment = "staging"
	c, err := langfuse.New(append([]langfuse.Option{langfuse.WithConfig(cfg), langfuse.AsDefault(false),
		langfuse.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c
}

func TestScoresReachTheIngestionAPIOnceAfterShutdown(t *testing.T) {
	in := newIngestion(t)
	c := keyedClient(t, in)
	ctx := c.Context(context.Background())

	ctx, o := observe.Start(ctx, "answer", observe.AsType(observe.TypeGeneration))
	require.NoError(t, observe.Score(ctx, "relevance", 0.9, observe.WithComment("on topic"),
		observe.WithScoreMetadata(map[string]any{"judge": "gpt-4o"}), observe.WithScoreConfigID("cfg-1")))
	require.NoError(t, observe.ScoreTrace(ctx, "thumbs", true, observe.WithScoreID("feedback-42")))
	require.NoError(t, o.Score("tone", "friendly"))
	o.End()
	require.NoError(t, c.CreateScore(context.Background(), langfuse.Score{Name: "session-quality", SessionID: "s-1", Value: 3}))
	require.NoError(t, c.Shutdown(context.Background()))

	got := in.byName()
	require.Len(t, got, 4)
	rel := got["relevance"]
	assert.Equal(t, o.TraceID(), rel["traceId"])
	assert.Equal(t, o.ID(), rel["observationId"])
	assert.Equal(t, 0.9, rel["value"])
	assert.Equal(t, "NUMERIC", rel["dataType"])
	assert.Equal(t, "on topic", rel["comment"])
	assert.Equal(t, "cfg-1", rel["configId"])
	assert.Equal(t, map[string]any{"judge": "gpt-4o"}, rel["metadata"])
	assert.Equal(t, "staging", rel["environment"])

	thumbs := got["thumbs"]
	assert.Equal(t, o.TraceID(), thumbs["traceId"])
	assert.NotContains(t, thumbs, "observationId", "a trace score")
	assert.Equal(t, 1.0, thumbs["value"])
	assert.Equal(t, "BOOLEAN", thumbs["dataType"])
	assert.Equal(t, "feedback-42", thumbs["id"])

	assert.Equal(t, "friendly", got["tone"]["value"])
	assert.Equal(t, "CATEGORICAL", got["tone"]["dataType"])
	assert.Equal(t, o.ID(), got["tone"]["observationId"])

	sess := got["session-quality"]
	assert.Equal(t, "s-1", sess["sessionId"])
	assert.NotContains(t, sess, "traceId")
	assert.Equal(t, 3.0, sess["value"])

	st := c.Stats()
	assert.Equal(t, uint64(4), st.ScoresSent)
	assert.Zero(t, st.ScoresDropped+st.ScoresFailed)
	assert.NoError(t, st.LastScoreError)
	assert.NoError(t, c.CreateScore(context.Background(), langfuse.Score{Name: "late", TraceID: o.TraceID(), Value: 1}),
		"after Shutdown a score is not an error")
}

func TestScoresFlush(t *testing.T) {
	in := newIngestion(t)
	c := keyedClient(t, in)
	require.NoError(t, c.CreateScore(context.Background(), langfuse.Score{Name: "a", TraceID: observe.CreateTraceID("x"), Value: 1}))
	require.NoError(t, c.Flush(context.Background()))
	assert.Len(t, in.byName(), 1, "Flush sends queued scores")
}

func TestInvalidScoresAreErrorsAtTheCall(t *testing.T) {
	ctx, rec := langfusetest.New(t)
	ctx, o := observe.Start(ctx, "op")
	defer o.End()
	trace := o.TraceID()
	client, err := langfuse.New(langfuse.WithConfig(config.Default()), langfuse.WithSpanExporter(rec), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Shutdown(context.Background()) })

	cases := map[string]func() error{
		"no name":         func() error { return observe.Score(ctx, "", 1) },
		"NaN":             func() error { return observe.Score(ctx, "n", math.NaN()) },
		"boolean 2":       func() error { return observe.ScoreTrace(ctx, "b", 2, observe.WithScoreDataType("BOOLEAN")) },
		"categorical int": func() error { return o.Score("c", 1, observe.WithScoreDataType("CATEGORICAL")) },
		"no target":       func() error { return client.CreateScore(ctx, langfuse.Score{Name: "x", Value: 1}) },
		"observation alone": func() error {
			return client.CreateScore(ctx, langfuse.Score{Name: "x", SessionID: "s", ObservationID: o.ID(), Value: 1})
		},
		"struct value": func() error {
			return client.CreateScore(ctx, langfuse.Score{Name: "x", TraceID: trace, Value: struct{}{}})
		},
		"Inf": func() error {
			return client.CreateScore(ctx, langfuse.Score{Name: "x", TraceID: trace, Value: math.Inf(-1)})
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			err := f()
			require.Error(t, err)
			assert.True(t, errors.Is(err, langfuse.ErrInvalidScore), "%v", err)
			assert.Equal(t, strings.ToLower(err.Error()[:1]), err.Error()[:1], "lower-case")
		})
	}
	assert.Empty(t, rec.Scores(), "nothing recorded")
}

func TestLangfusetestRecordsScoresOfItsClientOnly(t *testing.T) {
	ctxA, recA := langfusetest.New(t)
	ctxB, recB := langfusetest.New(t)
	ctxA, a := observe.Start(ctxA, "a")
	require.NoError(t, observe.Score(ctxA, "quality", 0.5))
	a.End()
	_, b := observe.Start(ctxB, "b")
	require.NoError(t, b.ScoreTrace("passed", false))
	b.End()

	require.Len(t, recA.Scores(), 1)
	got := recA.Scores()[0]
	assert.Equal(t, "quality", got.Name)
	assert.Equal(t, 0.5, got.Value)
	assert.Equal(t, "NUMERIC", got.DataType)
	assert.Equal(t, a.TraceID(), got.TraceID)
	assert.Equal(t, a.ID(), got.ObservationID)
	assert.NotEmpty(t, got.ID, "an id is made")
	require.Len(t, recB.Scores(), 1)
	assert.Equal(t, 0.0, recB.Scores()[0].Value)
	assert.Equal(t, "BOOLEAN", recB.Scores()[0].DataType)
	assert.Empty(t, recB.Scores()[0].ObservationID)
}

func TestScoreCommentsAndMetadataPassTheMask(t *testing.T) {
	rec := langfusetest.NewRecorder()
	mask := func(v any) any {
		if s, ok := v.(string); ok {
			return strings.ReplaceAll(s, "4111-1111", "****")
		}
		return v
	}
	c, err := langfuse.New(langfuse.WithConfig(config.Default()), langfuse.WithSpanExporter(rec),
		langfuse.WithMask(mask), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	ctx, o := observe.Start(c.Context(context.Background()), "pay")
	require.NoError(t, observe.Score(ctx, "fraud", "no", observe.WithComment("card 4111-1111 looks fine"),
		observe.WithScoreMetadata(map[string]any{"card": "4111-1111"})))
	o.End()
	require.Len(t, rec.Scores(), 1)
	s := rec.Scores()[0]
	assert.Equal(t, "card **** looks fine", s.Comment)
	assert.NotContains(t, s.Metadata["card"], "4111")
}

func TestScoresPrintOnTheConsoleWithoutKeys(t *testing.T) {
	var out bytes.Buffer
	c, err := langfuse.New(langfuse.WithConfig(config.Default()), langfuse.WithConsoleWriter(&out),
		langfuse.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), langfuse.AsDefault(false))
	require.NoError(t, err)
	ctx, o := observe.Start(c.Context(context.Background()), "answer")
	require.NoError(t, observe.Score(ctx, "helpful", true, observe.WithComment("thanks")))
	o.End()
	require.NoError(t, c.CreateScore(ctx, langfuse.Score{Name: "csat", SessionID: "s-9", Value: 4.5}))
	require.NoError(t, c.Shutdown(context.Background()))
	text := out.String()
	assert.Regexp(t, "trace "+o.TraceID()+`(  \[client \d+, no keys\])?\n└─ answer  span`, text, "the trace tree")
	assert.Contains(t, text, "\n   score helpful = true  observation "+o.ID()+`  comment "thanks"`+"\n",
		"a score made while its trace ran prints under the tree")
	assert.Contains(t, text, "score csat = 4.5  session \"s-9\"\n", "a score on no trace prints at once")
	assert.Equal(t, uint64(2), c.Stats().ScoresSent)
}

func TestScoresWithAnExporterThatTakesNoneAreDropped(t *testing.T) {
	c, err := langfuse.New(langfuse.WithConfig(config.Default()), langfuse.WithSpanExporter(discard{}), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	ctx, o := observe.Start(c.Context(context.Background()), "op")
	require.NoError(t, observe.Score(ctx, "s", 1))
	o.End()
	assert.Equal(t, langfuse.Stats{}, c.Stats(), "silently")
}

func TestScoresConcurrentlyUnderRace(t *testing.T) {
	in := newIngestion(t)
	c := keyedClient(t, in)
	ctx := c.Context(context.Background())
	const goroutines, each = 8, 50
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			ctx, o := observe.Start(ctx, "worker")
			defer o.End()
			for i := range each {
				assert.NoError(t, observe.Score(ctx, "g"+string(rune('a'+g))+"-"+string(rune('a'+i%26))+string(rune('a'+i/26)), i))
			}
		})
	}
	wg.Wait()
	require.NoError(t, c.Shutdown(context.Background()))
	assert.Len(t, in.byName(), goroutines*each)
	assert.Equal(t, uint64(goroutines*each), c.Stats().ScoresSent)
}

func TestDisabledScoringDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates; make test also runs this without -race")
	}
	c, err := langfuse.New(langfuse.WithConfig(func() config.Config {
		cfg := config.Default()
		cfg.TracingEnabled = false
		return cfg
	}()), langfuse.AsDefault(false))
	require.NoError(t, err)
	ctx := c.Context(context.Background())
	o := observe.Current(ctx)
	meta := map[string]any{"k": 1}
	cases := map[string]func(){
		"observe.Score": func() { _ = observe.Score(ctx, "s", 0.5, observe.WithComment("c"), observe.WithScoreMetadata(meta)) },
		"observe.ScoreTrace": func() {
			_ = observe.ScoreTrace(ctx, "s", true, observe.WithScoreID("id"), observe.WithScoreDataType("BOOLEAN"))
		},
		"Observation.Score": func() { _ = o.Score("s", "good", observe.WithScoreConfigID("cfg")) },
		"Client.CreateScore": func() {
			_ = c.CreateScore(ctx, langfuse.Score{Name: "s", TraceID: "0123456789abcdef0123456789abcdef", Value: 0.5, Metadata: meta})
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			assert.Zero(t, testing.AllocsPerRun(100, f))
		})
	}
}

func TestCreateScoreGoesThroughTheClientOfCtx(t *testing.T) {
	_, def := newClient(t)
	ctx, rec := langfusetest.New(t)

	require.NoError(t, langfuse.CreateScore(ctx, langfuse.Score{Name: "bound", Value: 1, TraceID: observe.CreateTraceID("a")}))
	require.NoError(t, langfuse.CreateScore(context.Background(), langfuse.Score{Name: "default", Value: 2, TraceID: observe.CreateTraceID("b")}))

	bound := rec.Scores()
	require.Len(t, bound, 1)
	assert.Equal(t, "bound", bound[0].Name)
	assert.Equal(t, 1.0, bound[0].Value)
	viaDefault := def.Scores()
	require.Len(t, viaDefault, 1)
	assert.Equal(t, "default", viaDefault[0].Name)

	err := langfuse.CreateScore(ctx, langfuse.Score{Name: "no-target", Value: 1})
	require.ErrorIs(t, err, langfuse.ErrInvalidScore, "a malformed score is an error through ctx too")
	assert.Len(t, rec.Scores(), 1)
}
