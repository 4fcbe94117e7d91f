package langfuse_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

type question struct {
	Text string `json:"text"`
}

type answer struct {
	Text  string `json:"text"`
	Score int    `json:"score"`
}

func TestWrappersNestThreeLevels(t *testing.T) {
	_, rec := newClient(t)
	inner := langfuse.Observe1("inner", func(ctx context.Context, n int) (int, error) { return n * 2, nil })
	middle := langfuse.Observe1("middle", func(ctx context.Context, q question) (answer, error) {
		n, err := inner(ctx, len(q.Text))
		return answer{Text: strings.ToUpper(q.Text), Score: n}, err
	}, observe.AsType(observe.TypeChain))
	outer := langfuse.ObserveCtx("outer", func(ctx context.Context) (string, error) {
		a, err := middle(ctx, question{Text: "hi"})
		return a.Text, err
	}, observe.AsType(observe.TypeAgent))

	got, err := outer(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "HI", got)

	o, m, i := find(t, rec, "outer"), find(t, rec, "middle"), find(t, rec, "inner")
	assert.Empty(t, o.ParentID)
	assert.Equal(t, o.ID, m.ParentID)
	assert.Equal(t, m.ID, i.ParentID)
	assert.Equal(t, o.TraceID, i.TraceID)
	assert.Equal(t, "agent", o.Type)
	assert.Equal(t, "chain", m.Type)
	assert.Equal(t, "span", i.Type)
	assert.NotContains(t, o.Attributes, semconv.ObservationInput, "ctx is never captured")
	assert.Equal(t, "HI", o.Output)
	assert.Equal(t, `{"text":"hi"}`, m.Input)
	assert.Equal(t, `{"text":"HI","score":4}`, m.Output)
	assert.Equal(t, "2", i.Input)
	assert.Equal(t, "4", i.Output)
}

func TestWrapperInputShapes(t *testing.T) {
	_, rec := newClient(t)
	add := func(_ context.Context, a, b int) (int, error) { return a + b, nil }
	join := func(_ context.Context, a string, b []string, c map[string]int) (string, error) { return a, nil }

	_, err := langfuse.Observe2("array", add)(context.Background(), 1, 2)
	require.NoError(t, err)
	_, err = langfuse.Observe2("named", add, observe.ArgNames("a", "b"))(context.Background(), 1, 2)
	require.NoError(t, err)
	_, err = langfuse.Observe2("ordered", add, observe.ArgNames("zeta", "alpha"))(context.Background(), 1, 2)
	require.NoError(t, err)
	_, err = langfuse.Observe3("three", join)(context.Background(), "x", []string{"y"}, map[string]int{"z": 1})
	require.NoError(t, err)
	_, err = langfuse.Observe3("partly-named", join, observe.ArgNames("first"))(context.Background(), "x", nil, nil)
	require.NoError(t, err)
	_, err = langfuse.Observe1("one-named", func(_ context.Context, s string) (string, error) { return s, nil },
		observe.ArgNames("query"))(context.Background(), "q")
	require.NoError(t, err)

	assert.Equal(t, `[1,2]`, find(t, rec, "array").Input)
	assert.Equal(t, `{"zeta":1,"alpha":2}`, find(t, rec, "ordered").Input, "keys keep the parameters' order")
	assert.Equal(t, `{"a":1,"b":2}`, find(t, rec, "named").Input)
	assert.Equal(t, `["x",["y"],{"z":1}]`, find(t, rec, "three").Input)
	assert.JSONEq(t, `{"first":"x","arg1":null,"arg2":null}`, find(t, rec, "partly-named").Input)
	assert.JSONEq(t, `{"query":"q"}`, find(t, rec, "one-named").Input)
	assert.Equal(t, "3", find(t, rec, "array").Output)
}

var errQuota = errors.New("quota exceeded")

func TestWrapperErrorIsRecordedAndReturnedUnchanged(t *testing.T) {
	_, rec := newClient(t)
	wrapped := fmt.Errorf("call llm: %w", errQuota)
	f := langfuse.Observe1("fails", func(context.Context, string) (answer, error) {
		return answer{Text: "partial"}, wrapped
	})
	got, err := f(context.Background(), "q")
	assert.Same(t, wrapped, err)
	assert.Equal(t, answer{Text: "partial"}, got, "results are returned as the function gave them")

	e := langfuse.ObserveErr("fails-err", func(context.Context) error { return errQuota })
	assert.Same(t, errQuota, e(context.Background()))

	for _, name := range []string{"fails", "fails-err"} {
		o := find(t, rec, name)
		assert.True(t, o.Failed(), name)
		assert.Equal(t, codes.Error, o.Status.Code)
		assert.NotContains(t, o.Attributes, semconv.ObservationOutput, "no output on error")
	}
	assert.Equal(t, "call llm: quota exceeded", find(t, rec, "fails").StatusMessage)
	assert.Equal(t, "call llm: quota exceeded", find(t, rec, "fails").Status.Description)
}

type panicValue struct{ code int }

func TestWrapperPanicIsRecordedAndRaisedUnchanged(t *testing.T) {
	_, rec := newClient(t)
	pv := &panicValue{code: 7}
	f := langfuse.Observe1("explodes", func(ctx context.Context, n int) (int, error) { panic(pv) })
	var got any
	func() {
		defer func() { got = recover() }()
		_, _ = f(context.Background(), 1)
	}()
	assert.Same(t, pv, got, "the panic goes on with the original value")

	o := find(t, rec, "explodes")
	assert.True(t, o.Failed())
	assert.Equal(t, "panic: &{7}", o.StatusMessage)
	require.Len(t, o.Events, 1)
	assert.Equal(t, "exception", o.Events[0].Name)
	var stack string
	for _, kv := range o.Events[0].Attributes {
		if kv.Key == "exception.stacktrace" {
			stack = kv.Value.AsString()
		}
	}
	assert.Contains(t, stack, "TestWrapperPanicIsRecordedAndRaisedUnchanged", "the stack shows where it panicked")

	e := langfuse.ObserveErr("explodes-err", func(context.Context) error { panic("plain") })
	assert.PanicsWithValue(t, "plain", func() { _ = e(context.Background()) })
	assert.Equal(t, "panic: plain", find(t, rec, "explodes-err").StatusMessage)
}

func TestWrapperGoexitEndsObservation(t *testing.T) {
	_, rec := newClient(t)
	f := langfuse.ObserveErr("exits", func(context.Context) error { runtime.Goexit(); return nil })
	g := langfuse.ObserveCtx("exits-with-result", func(context.Context) (int, error) { runtime.Goexit(); return 1, nil })
	for _, call := range []func(){func() { _ = f(context.Background()) }, func() { _, _ = g(context.Background()) }} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			call()
		}()
		<-done
	}
	for _, name := range []string{"exits", "exits-with-result"} {
		o := find(t, rec, name)
		assert.False(t, o.Failed())
		assert.NotContains(t, o.Attributes, semconv.ObservationOutput, "no result to record")
	}
}

func TestWrapperCaptureSwitches(t *testing.T) {
	echo := func(_ context.Context, s string) (string, error) { return s, nil }
	tests := []struct {
		name            string
		envCapture      bool
		opts            []observe.Option
		wantIn, wantOut bool
	}{
		{name: "default on", envCapture: true, wantIn: true, wantOut: true},
		{name: "env off", envCapture: false},
		{name: "env off, wrapper input on", envCapture: false, opts: []observe.Option{observe.CaptureInput(true)}, wantIn: true},
		{name: "env on, wrapper output off", envCapture: true, opts: []observe.Option{observe.CaptureOutput(false)}, wantIn: true},
		{name: "both off on wrapper", envCapture: true, opts: []observe.Option{observe.CaptureInput(false), observe.CaptureOutput(false)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rec := newClient(t, func(c *config.Config) { c.IOCaptureEnabled = tt.envCapture })
			_, err := langfuse.Observe1("echo", echo, tt.opts...)(context.Background(), "secret")
			require.NoError(t, err)
			o := find(t, rec, "echo")
			_, hasIn := o.Attributes[semconv.ObservationInput]
			_, hasOut := o.Attributes[semconv.ObservationOutput]
			assert.Equal(t, tt.wantIn, hasIn, "input")
			assert.Equal(t, tt.wantOut, hasOut, "output")
		})
	}
}

func TestWrapperCaptureSwitchFromEnvironment(t *testing.T) {
	t.Setenv(config.EnvIOCaptureEnabled, "off")
	t.Setenv(config.EnvExportMode, "immediate")
	rec := newRecorderClientFromEnv(t)
	_, err := langfuse.Observe1("echo", func(_ context.Context, s string) (string, error) { return s, nil })(context.Background(), "x")
	require.NoError(t, err)
	o := find(t, rec, "echo")
	assert.NotContains(t, o.Attributes, semconv.ObservationInput)
	assert.NotContains(t, o.Attributes, semconv.ObservationOutput)
}

func TestWrapperMadeBeforeNewRecordsAfter(t *testing.T) {
	f := langfuse.Observe1("early", func(_ context.Context, n int) (int, error) { return n, nil })
	n, err := f(context.Background(), 1) // no client yet: straight through
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, rec := newClient(t)
	_, err = f(context.Background(), 2)
	require.NoError(t, err)
	require.Len(t, rec.Spans(), 1)
	assert.Equal(t, "2", find(t, rec, "early").Input)
}

func namedHelper(_ context.Context) (int, error) { return 1, nil }

type agent struct{}

func (agent) Run(context.Context) (string, error) { return "ran", nil }

func TestWrapperEmptyNameUsesFunctionName(t *testing.T) {
	_, rec := newClient(t)
	_, _ = langfuse.ObserveCtx("", namedHelper)(context.Background())
	_, _ = langfuse.ObserveCtx("", agent{}.Run)(context.Background())
	names := []string{}
	for _, o := range rec.Observations() {
		names = append(names, o.Name)
	}
	assert.Equal(t, []string{"namedHelper", "agent.Run"}, names)
}

func TestWrapperEmptyNameRefusesClosures(t *testing.T) {
	closure := func(context.Context) (int, error) { return 1, nil }
	for name, wrap := range map[string]func(){
		"ObserveCtx":  func() { langfuse.ObserveCtx("", closure) },
		"Observe1":    func() { langfuse.Observe1("", func(context.Context, int) (int, error) { return 1, nil }) },
		"ObserveErr":  func() { langfuse.ObserveErr("", func(context.Context) error { return nil }) },
		"ObserveErr1": func() { langfuse.ObserveErr1("", func(context.Context, int) error { return nil }) },
	} {
		t.Run(name, func(t *testing.T) {
			var got any
			func() {
				defer func() { got = recover() }()
				wrap()
			}()
			msg, _ := got.(string)
			assert.True(t, strings.HasPrefix(msg, "langfuse: a wrapper with an empty name is named after its function, but TestWrapperEmptyNameRefusesClosures.func"), msg)
			assert.True(t, strings.HasSuffix(msg, " is a closure without a name of its own: pass a name"), msg)
		})
	}
	for _, name := range []string{"main.func4", "init.func1", "Handler.func2.1", "glob..func1"} {
		assert.True(t, langfuse.IsClosureName(name), name)
	}
	for _, name := range []string{"namedHelper", "agent.Run", "funcName", "(*T).funcs", "function3"} {
		assert.False(t, langfuse.IsClosureName(name), name)
	}
}

func TestWrapperStaticOptionsApplyToEveryCall(t *testing.T) {
	_, rec := newClient(t)
	llm := langfuse.Observe1("llm", func(_ context.Context, p string) (string, error) { return "ok", nil },
		observe.AsType(observe.TypeGeneration), observe.WithModel("gpt-4o"),
		observe.WithMetadata(map[string]any{"provider": "openai"}))
	for i := 0; i < 2; i++ {
		_, err := llm(context.Background(), "p")
		require.NoError(t, err)
	}
	for _, o := range rec.Observations() {
		assert.Equal(t, "generation", o.Type)
		assert.Equal(t, "gpt-4o", o.Attr(semconv.ObservationModel))
		assert.Equal(t, "openai", o.Metadata["provider"].AsString())
	}
	assert.Len(t, rec.Spans(), 2)
}

func TestWrapperUpdateCurrentInside(t *testing.T) {
	_, rec := newClient(t)
	llm := langfuse.Observe1("llm", func(ctx context.Context, p string) (string, error) {
		observe.UpdateCurrent(ctx, observe.WithUsage(map[string]int{"input": 3, "output": 5}))
		return "ok", nil
	}, observe.AsType(observe.TypeGeneration))
	_, err := llm(context.Background(), "p")
	require.NoError(t, err)
	assert.JSONEq(t, `{"input":3,"output":5}`, find(t, rec, "llm").Attr(semconv.ObservationUsageDetails))
}

func TestConcurrentGoroutinesHaveIsolatedTraces(t *testing.T) {
	_, rec := newClient(t)
	child := langfuse.Observe1("child", func(_ context.Context, n int) (int, error) { return n, nil })
	root := langfuse.Observe1("root", func(ctx context.Context, n int) (int, error) {
		ctx = observe.PropagateAttributes(ctx, observe.Attributes{UserID: fmt.Sprint("user-", n)})
		return child(ctx, n)
	})
	const n = 32
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := root(context.Background(), i)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()

	roots := map[string]string{} // trace id -> input
	for _, o := range rec.Observations() {
		if o.Name == "root" {
			roots[o.TraceID] = o.Input
		}
	}
	require.Len(t, roots, n, "every call is its own trace")
	for _, o := range rec.Observations() {
		if o.Name == "child" {
			assert.Equal(t, roots[o.TraceID], o.Input, "a child sits in its own caller's trace")
			assert.Equal(t, "user-"+o.Input, o.Attr(semconv.UserID))
		}
	}
}

func TestTracingDisabledCallsStraightThrough(t *testing.T) {
	_, rec := newClient(t, func(c *config.Config) { c.TracingEnabled = false })
	calls := 0
	f := langfuse.Observe1("off", func(_ context.Context, n int) (int, error) { calls++; return n + 1, nil })
	got, err := f(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, 2, got)
	assert.Equal(t, 1, calls)
	ctx, o := observe.Start(context.Background(), "manual")
	o.End()
	assert.Empty(t, observe.TraceID(ctx))
	assert.Empty(t, rec.Spans())
}

func TestObserveErr1RecordsInputAndError(t *testing.T) {
	_, rec := newClient(t)
	type job struct {
		ID int `json:"id"`
	}
	var seen context.Context
	handle := langfuse.ObserveErr1("handle-job", func(ctx context.Context, j job) error {
		seen = ctx
		if j.ID == 2 {
			return errQuota
		}
		return nil
	}, observe.AsType(observe.TypeTool))

	require.NoError(t, handle(context.Background(), job{ID: 1}))
	assert.Same(t, errQuota, handle(context.Background(), job{ID: 2}), "the error is returned unchanged")

	all := rec.FindAll("handle-job")
	require.Len(t, all, 2)
	ok, failed := all[0], all[1]
	assert.Equal(t, `{"id":1}`, ok.Input)
	assert.Equal(t, "tool", ok.Type)
	assert.NotContains(t, ok.Attributes, semconv.ObservationOutput, "an error-only function has no output")
	assert.False(t, ok.Failed())
	assert.Equal(t, `{"id":2}`, failed.Input)
	assert.True(t, failed.Failed())
	assert.Equal(t, "quota exceeded", failed.StatusMessage)
	assert.Equal(t, failed.ID, observe.ObservationID(seen), "fn runs with the new observation current")

	noInput := langfuse.ObserveErr1("quiet-job", func(context.Context, job) error { return nil }, observe.CaptureInput(false))
	require.NoError(t, noInput(context.Background(), job{ID: 3}))
	assert.NotContains(t, find(t, rec, "quiet-job").Attributes, semconv.ObservationInput)

	assert.PanicsWithValue(t, "boom", func() {
		_ = langfuse.ObserveErr1("panics-job", func(context.Context, job) error { panic("boom") })(context.Background(), job{})
	})
	assert.Equal(t, "panic: boom", find(t, rec, "panics-job").StatusMessage)
}
