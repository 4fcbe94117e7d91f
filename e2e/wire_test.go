package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/tracing"
)

// Values the wire scenario records, and that the collector must return.
const (
	wireEnvironment = "e2e-test"
	wireRelease     = "release-7"
	wireUserID      = "user-e2e"
	wireSessionID   = "session-e2e"
	wireTraceName   = "e2e-wire"
	wireAppVersion  = "app-1.2.3"
	wireGenVersion  = "gen-v2"
	wireQuestion    = "What is Langfuse?"
	wirePlan        = "plan with 2 docs"
	wireWeather     = "sunny in Berlin"
	wireAnswer      = "Langfuse records traces of LLM applications."
	// wireRemoteParent is the parent id given with WithTraceContext,
	// upper-case to show that ids are normalised.
	wireRemoteParent = "00F067AA0BA902B7"
)

var (
	errQuota = errors.New("quota exceeded")
	// wireCompletionStart has milliseconds, which Langfuse keeps.
	wireCompletionStart = time.Date(2026, 1, 2, 3, 4, 5, 123_000_000, time.UTC)
)

// wireRun is what the wire scenario returned and the ids it saw, to be
// compared with what the collector received.
type wireRun struct {
	output      map[string]any
	validateErr error

	traceID string
	ids     map[string]string // observation name -> id, as the SDK reported it
	httpID  string            // the third-party span between pipeline and weather-tool

	importedTraceID string
}

// runWireScenario runs instrumented code that sets every attribute of the
// wire contract: three levels of wrappers, one returning an error, a
// generation with every generation option, an event, propagated trace
// attributes, a third-party span between two observations, and two
// observations in an explicit trace.
func runWireScenario(t *testing.T, lf *langfuse.Client) wireRun {
	t.Helper()
	run := wireRun{ids: make(map[string]string)}
	record := func(ctx context.Context, name string) {
		run.ids[name] = observe.ObservationID(ctx)
	}

	search := langfuse.Observe1("search", func(ctx context.Context, q string) ([]string, error) {
		record(ctx, "search")
		return []string{"doc-1", "doc-2"}, nil
	}, observe.AsType(observe.TypeRetriever))

	validate := langfuse.ObserveErr("validate", func(ctx context.Context) error {
		record(ctx, "validate")
		return errQuota
	}, observe.AsType(observe.TypeGuardrail))

	plan := langfuse.Observe2("plan", func(ctx context.Context, question string, topK int) (string, error) {
		record(ctx, "plan")
		docs, err := search(ctx, question)
		if err != nil {
			return "", err
		}
		run.validateErr = validate(ctx)
		if len(docs) != 2 {
			return "", errors.New("unexpected documents")
		}
		return wirePlan, nil
	}, observe.AsType(observe.TypeChain), observe.ArgNames("question", "topK"))

	weather := langfuse.Observe1("weather-tool", func(ctx context.Context, city string) (string, error) {
		record(ctx, "weather-tool")
		return "sunny in " + city, nil
	}, observe.AsType(observe.TypeTool))

	httpTracer := lf.TracerProvider().Tracer("net/http")

	pipeline := langfuse.ObserveCtx("pipeline", func(ctx context.Context) (map[string]any, error) {
		record(ctx, "pipeline")
		run.traceID = observe.TraceID(ctx)

		p, err := plan(ctx, wireQuestion, 3)
		if err != nil {
			return nil, err
		}

		_, gen := observe.Start(ctx, "llm-call",
			observe.AsType(observe.TypeGeneration),
			observe.WithInput([]map[string]string{{"role": "user", "content": wireQuestion}}),
			observe.WithModel("gpt-4o-mini"),
			observe.WithModelParameters(map[string]any{"temperature": 0.2, "max_tokens": 256}),
			observe.WithUsage(map[string]int{"input": 42, "output": 17, "total": 59}),
			observe.WithCost(map[string]float64{"total": 0.00031}),
			observe.WithCompletionStartTime(wireCompletionStart),
			observe.WithPrompt("p", 3),
			observe.WithMetadata(map[string]any{
				"region":  "eu",
				"attempt": 2,
				"cached":  true,
				"nested":  map[string]any{"a": 1, "b": []string{"x"}},
			}),
			observe.WithLevel(observe.LevelWarning),
			observe.WithStatusMessage("slow answer"),
			observe.WithVersion(wireGenVersion),
		)
		run.ids["llm-call"] = gen.ID()
		gen.End(observe.WithOutput(wireAnswer))

		run.ids["cache-hit"] = observe.CreateEvent(ctx, "cache-hit",
			observe.WithMetadata(map[string]any{"key": "q1"})).ID()

		// Other instrumentation between two observations: not exported by
		// default, so the observation under it is the top of the
		// application's part of the trace.
		hctx, hspan := httpTracer.Start(ctx, "GET /weather")
		run.httpID = hspan.SpanContext().SpanID().String()
		w, err := weather(hctx, "Berlin")
		hspan.End()
		if err != nil {
			return nil, err
		}
		return map[string]any{"plan": p, "weather": w}, nil
	}, observe.AsType(observe.TypeAgent))

	ctx := observe.PropagateAttributes(context.Background(), observe.Attributes{
		UserID:    wireUserID,
		SessionID: wireSessionID,
		TraceName: wireTraceName,
		Version:   wireAppVersion,
		Tags:      []string{"e2e", "wire"},
		Metadata:  map[string]string{"team": "search"},
	})
	out, err := pipeline(ctx)
	require.NoError(t, err)
	run.output = out

	// An observation that continues a trace started elsewhere: as its
	// root, then as the child of a given parent.
	run.importedTraceID = observe.CreateTraceID("e2e-imported-trace")
	_, root := observe.Start(context.Background(), "imported-root",
		observe.WithTraceContext(run.importedTraceID, ""))
	run.ids["imported-root"] = root.ID()
	root.End()
	_, child := observe.Start(context.Background(), "imported-child",
		observe.WithTraceContext(strings.ToUpper(run.importedTraceID), wireRemoteParent))
	run.ids["imported-child"] = child.ID()
	child.End()
	return run
}

// TestWireContract configures the client through the environment only,
// runs code that sets every attribute Langfuse reads, and checks each one
// as the collector received it: keys, value types, ids and parents.
func TestWireContract(t *testing.T) {
	tests := []struct {
		name      string
		urlVar    string // the variable that holds the collector's URL
		suffix    string // appended to the URL
		exportAll bool
	}{
		{name: "base URL", urlVar: "LANGFUSE_BASE_URL"},
		{name: "base URL with trailing slash", urlVar: "LANGFUSE_BASE_URL", suffix: "/"},
		{name: "legacy LANGFUSE_HOST", urlVar: "LANGFUSE_HOST", suffix: "/"},
		{name: "export filter ExportAll", urlVar: "LANGFUSE_BASE_URL", exportAll: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startCollector(t)
			setLangfuseEnv(t, map[string]string{
				"LANGFUSE_PUBLIC_KEY":          testPublicKey,
				"LANGFUSE_SECRET_KEY":          testSecretKey,
				tt.urlVar:                      c.URL + tt.suffix,
				"LANGFUSE_TRACING_ENVIRONMENT": wireEnvironment,
				"LANGFUSE_RELEASE":             wireRelease,
			})
			var logs logRecorder
			opts := []langfuse.Option{langfuse.WithLogger(logs.logger())}
			if tt.exportAll {
				opts = append(opts, langfuse.WithExportFilter(tracing.ExportAll))
			}
			lf := newClient(t, opts...)

			run := runWireScenario(t, lf)
			assert.Equal(t, map[string]any{"plan": wirePlan, "weather": wireWeather}, run.output)
			assert.Same(t, errQuota, run.validateErr, "the wrapped function's error comes back unchanged")

			shutdown(t, lf)

			spans := c.spans(t)
			checkWireSpans(t, spans, run, tt.exportAll)
			for _, r := range logs.records(t) {
				assert.NotContains(t, []string{"WARN", "ERROR"}, r.Level, "unexpected log: %s", r.Msg)
			}
		})
	}
}

// checkWireSpans checks what the collector received from runWireScenario.
func checkWireSpans(t *testing.T, spans []span, run wireRun, exportAll bool) {
	t.Helper()
	want := []string{"pipeline", "plan", "search", "validate", "llm-call", "cache-hit",
		"weather-tool", "imported-root", "imported-child"}
	if exportAll {
		want = append(want, "GET /weather")
	}
	require.ElementsMatch(t, want, names(spans), "exported spans")
	requireWellFormedIDs(t, spans)
	got := byName(t, spans)

	t.Run("ids and parents", func(t *testing.T) {
		for name, id := range run.ids {
			assert.Equal(t, id, got[name].SpanID, "id of %q", name)
		}
		parents := map[string]string{
			"pipeline":       "",
			"plan":           run.ids["pipeline"],
			"search":         run.ids["plan"],
			"validate":       run.ids["plan"],
			"llm-call":       run.ids["pipeline"],
			"cache-hit":      run.ids["pipeline"],
			"weather-tool":   run.httpID,
			"imported-child": strings.ToLower(wireRemoteParent),
		}
		if exportAll {
			parents["GET /weather"] = run.ids["pipeline"]
		}
		for name, parent := range parents {
			assert.Equal(t, parent, got[name].ParentSpanID, "parent of %q", name)
		}
		exported := make(map[string]bool)
		for _, s := range spans {
			exported[s.SpanID] = true
		}
		root := got["imported-root"]
		assert.NotEmpty(t, root.ParentSpanID, "imported-root has the made-up remote parent")
		assert.False(t, exported[root.ParentSpanID], "the remote parent of imported-root is not a span of ours")
		assert.Equal(t, exportAll, exported[run.httpID], "the third-party span is exported only with ExportAll")

		for _, s := range spans {
			switch s.Name {
			case "imported-root", "imported-child":
				assert.Equal(t, run.importedTraceID, s.TraceID, "trace of %q", s.Name)
			default:
				assert.Equal(t, run.traceID, s.TraceID, "trace of %q", s.Name)
			}
		}
	})

	t.Run("scope, resource, environment and release", func(t *testing.T) {
		for _, s := range spans {
			if s.Name == "GET /weather" {
				assert.Equal(t, "net/http", s.ScopeName)
			} else {
				assert.Equal(t, "langfuse-sdk", s.ScopeName, "scope of %q", s.Name)
				assert.Equal(t, langfuse.Version, s.ScopeVersion, "scope version of %q", s.Name)
			}
			svc, _ := s.Resource["service.name"].(string)
			assert.NotEmpty(t, svc, "resource service.name of %q", s.Name)
			assert.Equal(t, wireEnvironment, s.attr("langfuse.environment"), "environment of %q", s.Name)
			assert.Equal(t, wireRelease, s.attr("langfuse.release"), "release of %q", s.Name)
			assert.False(t, s.Start.IsZero(), "start of %q", s.Name)
			assert.False(t, s.End.Before(s.Start), "end of %q", s.Name)
		}
	})

	t.Run("observation types", func(t *testing.T) {
		types := map[string]string{
			"pipeline":       "agent",
			"plan":           "chain",
			"search":         "retriever",
			"validate":       "guardrail",
			"llm-call":       "generation",
			"cache-hit":      "event",
			"weather-tool":   "tool",
			"imported-root":  "span",
			"imported-child": "span",
		}
		for name, typ := range types {
			if typ == "span" {
				// A plain span goes without the attribute; the server reads
				// it as a span.
				assert.False(t, got[name].has("langfuse.observation.type"), "type of %q", name)
				continue
			}
			assert.Equal(t, typ, got[name].attr("langfuse.observation.type"), "type of %q", name)
		}
		if exportAll {
			assert.False(t, got["GET /weather"].has("langfuse.observation.type"))
		}
	})

	t.Run("propagated trace attributes", func(t *testing.T) {
		for _, s := range spans {
			if strings.HasPrefix(s.Name, "imported-") {
				assert.False(t, s.has("user.id"), "%q is outside the propagating context", s.Name)
				continue
			}
			assert.Equal(t, wireUserID, s.attr("user.id"), "user of %q", s.Name)
			assert.Equal(t, wireSessionID, s.attr("session.id"), "session of %q", s.Name)
			assert.Equal(t, wireTraceName, s.attr("langfuse.trace.name"), "trace name of %q", s.Name)
			tags, ok := s.strs("langfuse.trace.tags")
			assert.True(t, ok, "tags of %q are a string array: %#v", s.Name, s.attr("langfuse.trace.tags"))
			assert.Equal(t, []string{"e2e", "wire"}, tags, "tags of %q", s.Name)
			assert.Equal(t, "search", s.attr("langfuse.trace.metadata.team"), "trace metadata of %q", s.Name)
			version := wireAppVersion
			if s.Name == "llm-call" {
				version = wireGenVersion // WithVersion wins over the propagated one
			}
			assert.Equal(t, version, s.attr("langfuse.version"), "version of %q", s.Name)
		}
	})

	t.Run("input and output", func(t *testing.T) {
		assert.False(t, got["pipeline"].has("langfuse.observation.input"), "ctx is never captured")
		assertJSON(t, `{"plan":"plan with 2 docs","weather":"sunny in Berlin"}`, got["pipeline"], "langfuse.observation.output")
		assertJSON(t, `{"question":"What is Langfuse?","topK":3}`, got["plan"], "langfuse.observation.input")
		assert.Equal(t, wirePlan, got["plan"].attr("langfuse.observation.output"), "a string output is sent as is")
		assert.Equal(t, wireQuestion, got["search"].attr("langfuse.observation.input"), "a string input is sent as is")
		assertJSON(t, `["doc-1","doc-2"]`, got["search"], "langfuse.observation.output")
		assert.Equal(t, "Berlin", got["weather-tool"].attr("langfuse.observation.input"))
		assert.Equal(t, wireWeather, got["weather-tool"].attr("langfuse.observation.output"))
		assertJSON(t, `[{"role":"user","content":"What is Langfuse?"}]`, got["llm-call"], "langfuse.observation.input")
		assert.Equal(t, wireAnswer, got["llm-call"].attr("langfuse.observation.output"))
		assert.False(t, got["validate"].has("langfuse.observation.output"), "no output on error")
	})

	t.Run("error", func(t *testing.T) {
		v := got["validate"]
		assert.Equal(t, "ERROR", v.attr("langfuse.observation.level"))
		assert.Equal(t, errQuota.Error(), v.attr("langfuse.observation.status_message"))
		assert.Equal(t, 2, v.StatusCode, "OTel status Error")
		assert.Equal(t, errQuota.Error(), v.StatusMessage)
		assert.True(t, v.hasEvent("exception"), "an exception event for other backends")
		for _, s := range spans {
			if s.Name != "validate" {
				assert.Equal(t, 0, s.StatusCode, "status of %q", s.Name)
			}
		}
	})

	t.Run("generation", func(t *testing.T) {
		g := got["llm-call"]
		assert.Equal(t, "gpt-4o-mini", g.attr("langfuse.observation.model.name"))
		assertJSON(t, `{"temperature":0.2,"max_tokens":256}`, g, "langfuse.observation.model.parameters")
		assertJSON(t, `{"input":42,"output":17,"total":59}`, g, "langfuse.observation.usage_details")
		assertJSON(t, `{"total":0.00031}`, g, "langfuse.observation.cost_details")

		cst := g.str("langfuse.observation.completion_start_time")
		assert.Equal(t, `"2026-01-02T03:04:05.123Z"`, cst, "a JSON-quoted ISO-8601 time")
		var iso string
		if assert.NoError(t, json.Unmarshal([]byte(cst), &iso)) {
			parsed, err := time.Parse(time.RFC3339Nano, iso)
			assert.NoError(t, err)
			assert.True(t, parsed.Equal(wireCompletionStart), "completion start %v", parsed)
		}

		assert.Equal(t, "p", g.attr("langfuse.observation.prompt.name"))
		assert.Equal(t, int64(3), g.attr("langfuse.observation.prompt.version"), "prompt version is an int")

		assert.Equal(t, "eu", g.attr("langfuse.observation.metadata.region"))
		assert.Equal(t, int64(2), g.attr("langfuse.observation.metadata.attempt"), "int metadata stays an int")
		assert.Equal(t, true, g.attr("langfuse.observation.metadata.cached"), "bool metadata stays a bool")
		assertJSON(t, `{"a":1,"b":["x"]}`, g, "langfuse.observation.metadata.nested")

		assert.Equal(t, "WARNING", g.attr("langfuse.observation.level"))
		assert.Equal(t, "slow answer", g.attr("langfuse.observation.status_message"))
		assert.Equal(t, 0, g.StatusCode, "a warning leaves the OTel status unset")

		assert.Equal(t, "q1", got["cache-hit"].attr("langfuse.observation.metadata.key"))
		for _, s := range spans {
			if s.Name != "llm-call" {
				assert.False(t, s.has("langfuse.observation.model.name"), "model on %q", s.Name)
			}
		}
	})

	t.Run("root markers", func(t *testing.T) {
		asRoot := map[string]bool{"imported-root": true}
		appRoot := map[string]bool{"imported-root": true, "imported-child": true}
		if !exportAll {
			// Its parent, the third-party span, is not exported.
			appRoot["weather-tool"] = true
		}
		for _, s := range spans {
			if asRoot[s.Name] {
				assert.Equal(t, true, s.attr("langfuse.internal.as_root"), "as_root of %q", s.Name)
			} else {
				assert.False(t, s.has("langfuse.internal.as_root"), "as_root on %q", s.Name)
			}
			if appRoot[s.Name] {
				assert.Equal(t, true, s.attr("langfuse.internal.is_app_root"), "is_app_root of %q", s.Name)
			} else {
				assert.False(t, s.has("langfuse.internal.is_app_root"), "is_app_root on %q", s.Name)
			}
		}
	})
}

// assertJSON checks that attribute key of s is a string holding JSON equal
// to want.
func assertJSON(t *testing.T, want string, s span, key string) {
	t.Helper()
	v, ok := s.attr(key).(string)
	if !assert.True(t, ok, "%s of %q is a string: %#v", key, s.Name, s.attr(key)) {
		return
	}
	assert.JSONEq(t, want, v, "%s of %q", key, s.Name)
}
