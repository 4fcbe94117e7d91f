package langfuse_test

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

func runAnswer(context.Context) (string, error) { return "42", nil }

// runFromHelper calls Run with no name and a closure, as code usually
// does: the observation is named after runFromHelper.
func runFromHelper(ctx context.Context) (string, error) {
	return langfuse.Run(ctx, "", func(context.Context) (string, error) { return "42", nil })
}

type runAgent struct{}

func (runAgent) Plan(ctx context.Context) (int, error) {
	return langfuse.Run(ctx, "", func(context.Context) (int, error) { return 1, nil })
}

type runResult struct {
	N int `json:"n"`
}

func TestRunReturnsResultsUnchanged(t *testing.T) {
	_, rec := newClient(t)
	want := &runResult{N: 1}
	errRun := errors.New("run failed")

	got, err := langfuse.Run(context.Background(), "ok", func(context.Context) (*runResult, error) { return want, nil })
	require.NoError(t, err)
	assert.Same(t, want, got, "the result is fn's own")

	got, err = langfuse.Run(context.Background(), "fails", func(context.Context) (*runResult, error) { return want, errRun })
	assert.Same(t, errRun, err, "the error is fn's own")
	assert.Same(t, want, got, "a result returned with an error comes back too")

	ok := find(t, rec, "ok")
	assert.False(t, ok.Failed())
	assert.Equal(t, `{"n":1}`, ok.Output)

	failed := find(t, rec, "fails")
	assert.True(t, failed.Failed(), "an error makes the observation ERROR")
	assert.Equal(t, "run failed", failed.StatusMessage)
	assert.Equal(t, "run failed", failed.Status.Description)
	assert.NotContains(t, failed.Attributes, semconv.ObservationOutput, "no output with an error")
}

func TestRunCapture(t *testing.T) {
	fn := func(context.Context) (runResult, error) { return runResult{N: 2}, nil }
	tests := []struct {
		name      string
		captureIO bool // config.IOCaptureEnabled
		opts      []observe.Option
		wantIn    string // "" for none
		wantOut   string // "" for none
	}{
		{name: "output, no input by default", captureIO: true, wantOut: `{"n":2}`},
		{name: "input only with WithInput", captureIO: true,
			opts: []observe.Option{observe.WithInput(map[string]string{"q": "why"})}, wantIn: `{"q":"why"}`, wantOut: `{"n":2}`},
		{name: "CaptureOutput(false)", captureIO: true, opts: []observe.Option{observe.CaptureOutput(false)}},
		{name: "CaptureInput(false) drops WithInput", captureIO: true,
			opts: []observe.Option{observe.WithInput("secret"), observe.CaptureInput(false)}, wantOut: `{"n":2}`},
		{name: "IOCaptureEnabled=false", captureIO: false},
		{name: "IOCaptureEnabled=false, CaptureOutput(true) wins", captureIO: false,
			opts: []observe.Option{observe.CaptureOutput(true)}, wantOut: `{"n":2}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rec := newClient(t, func(c *config.Config) { c.IOCaptureEnabled = tt.captureIO })
			got, err := langfuse.Run(context.Background(), "run", fn, tt.opts...)
			require.NoError(t, err)
			assert.Equal(t, runResult{N: 2}, got)
			o := find(t, rec, "run")
			assertAttr(t, o, semconv.ObservationInput, tt.wantIn)
			assertAttr(t, o, semconv.ObservationOutput, tt.wantOut)
		})
	}
}

func TestRunCaptureSwitchFromEnvironment(t *testing.T) {
	t.Setenv(config.EnvTracingEnabled, "true")
	t.Setenv(config.EnvIOCaptureEnabled, "false")
	t.Setenv(config.EnvExportMode, "immediate")
	rec := newRecorderClientFromEnv(t)
	_, err := langfuse.Run(context.Background(), "run", runAnswer)
	require.NoError(t, err)
	o := find(t, rec, "run")
	assert.NotContains(t, o.Attributes, semconv.ObservationOutput)
	assert.NotContains(t, o.Attributes, semconv.ObservationInput)
}

// assertAttr checks that o has attribute key with value want, or none
// when want is "".
func assertAttr(t *testing.T, o langfusetest.Observation, key, want string) {
	t.Helper()
	if want == "" {
		assert.NotContains(t, o.Attributes, key)
		return
	}
	assert.Equal(t, want, o.Attr(key), key)
}

func TestRunNests(t *testing.T) {
	_, rec := newClient(t)
	wrapped := langfuse.ObserveCtx("wrapped-child", func(context.Context) (int, error) { return 1, nil })
	ctx, parent := observe.Start(context.Background(), "parent")
	_, err := langfuse.Run(ctx, "run", func(ctx context.Context) (int, error) {
		if _, err := wrapped(ctx); err != nil {
			return 0, err
		}
		_, o := observe.Start(ctx, "manual-child")
		o.End()
		return langfuse.Run(ctx, "run-child", func(context.Context) (int, error) { return 2, nil })
	}, observe.AsType(observe.TypeAgent))
	require.NoError(t, err)
	parent.End()

	p, r := find(t, rec, "parent"), find(t, rec, "run")
	assert.Equal(t, p.ID, r.ParentID, "Run nests under the observation in ctx")
	assert.Equal(t, p.TraceID, r.TraceID)
	assert.Equal(t, "agent", r.Type, "options apply")
	for _, name := range []string{"wrapped-child", "manual-child", "run-child"} {
		c := find(t, rec, name)
		assert.Equal(t, r.ID, c.ParentID, "%s nests under Run's observation", name)
		assert.Equal(t, r.TraceID, c.TraceID, name)
	}
	assert.Len(t, rec.Observations(), 5)
}

func TestRunCurrentIsItsObservationAndRunEndsIt(t *testing.T) {
	_, rec := newClient(t)
	var inside *observe.Observation
	var recordingAfterEnd bool
	got, err := langfuse.Run(context.Background(), "run", func(ctx context.Context) (string, error) {
		inside = observe.Current(ctx)
		inside.End(observe.WithOutput("from End"), observe.WithLevel(observe.LevelWarning))
		recordingAfterEnd = inside.IsRecording()
		observe.UpdateCurrent(ctx, observe.WithMetadata(map[string]any{"after": "end"}))
		return "result", nil
	})
	require.NoError(t, err)
	assert.Equal(t, "result", got)

	obs := rec.Observations()
	require.Len(t, obs, 1, "one observation, ended once")
	o := obs[0]
	assert.Equal(t, o.ID, inside.ID(), "observe.Current inside fn is Run's observation")
	assert.True(t, recordingAfterEnd, "End inside fn does not end Run's observation")
	assert.Equal(t, "result", o.Output, "Run ends it with fn's result")
	assert.Empty(t, o.Level, "End's options are ignored too")
	if assert.Contains(t, o.Metadata, "after") {
		assert.Equal(t, "end", o.Metadata["after"].AsString(), "updates after that End are recorded")
	}
}

// TestRunEmptyNameUsesCallerName checks that Run with no name names the
// observation after the function that calls Run, as run.go documents (fn
// is usually a closure, whose name says little).
func TestRunEmptyNameUsesCallerName(t *testing.T) {
	_, rec := newClient(t)
	ctx := context.Background()
	_, err := runFromHelper(ctx)
	require.NoError(t, err)
	_, err = runAgent{}.Plan(ctx)
	require.NoError(t, err)
	_, err = langfuse.Run(ctx, "", runAnswer)
	require.NoError(t, err)
	assert.Equal(t, []string{"runFromHelper", "runAgent.Plan", "TestRunEmptyNameUsesCallerName"},
		engNames(rec.Observations()))
}

func TestRunDisabledCallsFnDirectly(t *testing.T) {
	type key struct{}
	errRun := errors.New("run failed")
	tests := []struct {
		name  string
		setup func(t *testing.T) (context.Context, *langfusetest.Recorder)
	}{
		{"default client disabled", func(t *testing.T) (context.Context, *langfusetest.Recorder) {
			_, rec := newClient(t, func(c *config.Config) { c.TracingEnabled = false })
			return context.Background(), rec
		}},
		{"bound client disabled, default enabled", func(t *testing.T) (context.Context, *langfusetest.Recorder) {
			cfg := config.Default()
			cfg.TracingEnabled = false
			off, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.AsDefault(false))
			require.NoError(t, err)
			t.Cleanup(func() { _ = off.Shutdown(context.Background()) })
			_, def := newClient(t)
			return off.Context(context.Background()), def
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, rec := tt.setup(t)
			ctx := context.WithValue(base, key{}, "v")
			var seen context.Context
			got, err := langfuse.Run(ctx, "off", func(c context.Context) (int, error) {
				seen = c
				return 3, errRun
			})
			assert.Equal(t, 3, got)
			assert.Same(t, errRun, err)
			assert.True(t, seen == ctx, "fn gets the caller's ctx itself")
			assert.Empty(t, rec.Observations(), "nothing recorded")
		})
	}
}

func TestRunGoexitEndsObservationWithoutError(t *testing.T) {
	_, rec := newClient(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = langfuse.Run(context.Background(), "exits", func(context.Context) (int, error) {
			runtime.Goexit()
			return 1, nil
		})
	}()
	<-done
	o := find(t, rec, "exits")
	assert.Empty(t, o.Level, "not an error")
	assert.Equal(t, codes.Unset, o.Status.Code)
	assert.NotContains(t, o.Attributes, semconv.ObservationOutput, "no result to record")
	assert.Empty(t, o.Events)
}

func TestRunPanicIsRecordedAndRaisedUnchanged(t *testing.T) {
	_, rec := newClient(t)
	pv := &runResult{N: 9}
	var got any
	func() {
		defer func() { got = recover() }()
		_, _ = langfuse.Run(context.Background(), "explodes", func(context.Context) (int, error) { panic(pv) })
	}()
	assert.Same(t, pv, got, "the panic goes on with the same value")
	o := find(t, rec, "explodes")
	assert.True(t, o.Failed())
	assert.Equal(t, "panic: &{9}", o.StatusMessage)
	require.Len(t, o.Events, 1)
	assert.Equal(t, "exception", o.Events[0].Name)
}

// TestRunInputIsWrittenAsItEnds checks the input Run is given: written
// however the call ends, and replaced by an input given inside.
func TestRunInputIsWrittenAsItEnds(t *testing.T) {
	c, rec := newClient(t)
	ctx := c.Context(context.Background())

	_, _ = langfuse.Run(ctx, "failing", func(context.Context) (int, error) { return 0, errors.New("boom") },
		observe.WithInput("given"))
	assert.Equal(t, "given", find(t, rec, "failing").Input, "an error keeps the input")

	assert.Panics(t, func() {
		_, _ = langfuse.Run(ctx, "panicking", func(context.Context) (int, error) { panic("boom") },
			observe.WithInput("given"))
	})
	assert.Equal(t, "given", find(t, rec, "panicking").Input, "a panic keeps the input")

	_, err := langfuse.Run(ctx, "replaced", func(ctx context.Context) (int, error) {
		observe.UpdateCurrent(ctx, observe.WithInput("inside"))
		return 1, nil
	}, observe.WithInput("given"))
	require.NoError(t, err)
	o := find(t, rec, "replaced")
	assert.Equal(t, "inside", o.Input, "an input given inside takes the place of Run's")
	assert.Equal(t, "1", o.Output)

	_, err = langfuse.Run(ctx, "dropped", func(context.Context) (int, error) { return 1, nil },
		observe.WithInput("given"), observe.CaptureInput(false))
	require.NoError(t, err)
	assert.Empty(t, find(t, rec, "dropped").Input, "CaptureInput(false) drops it")
}
