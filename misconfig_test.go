package langfuse_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/langfusetest"
	"github.com/observe-go/langfuse/observe"
)

// clearLangfuseEnv hides whatever LANGFUSE_* variables the surrounding
// environment holds: an empty value counts as unset. Tests that use it
// change the process environment and must not run in parallel.
func clearLangfuseEnv(t *testing.T) {
	t.Helper()
	for _, name := range []string{
		config.EnvPublicKey, config.EnvSecretKey, config.EnvBaseURL, config.EnvHost,
		config.EnvTracingEnabled, config.EnvEnvironment, config.EnvRelease, config.EnvSampleRate,
		config.EnvFlushAt, config.EnvFlushInterval, config.EnvTimeout, config.EnvDebug,
		config.EnvIOCaptureEnabled, config.EnvCaptureMaxBytes, config.EnvMaxQueueSize,
		config.EnvExportMode, config.EnvGzip,
	} {
		t.Setenv(name, "")
	}
}

// recordsSpans proves that c is a working client: a span started through
// the default client reaches rec.
func recordsSpans(t *testing.T, c *langfuse.Client, rec *langfusetest.Recorder) {
	t.Helper()
	_, o := observe.Start(context.Background(), "still-observed")
	o.End()
	require.NoError(t, c.Flush(context.Background()))
	_, ok := rec.Find("still-observed")
	assert.True(t, ok, "the client returned with the error records spans")
}

// Observability settings must not take a service down: a malformed
// variable costs its own setting, which keeps its default, and nothing
// else. New returns a working client with every valid setting applied,
// and an error that still names every bad variable.
func TestNewWithMalformedEnvironmentReturnsWorkingClient(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantBad []string
		want    func(*config.Config)
	}{
		{"sample rate not a number",
			map[string]string{config.EnvSampleRate: "abc"},
			[]string{config.EnvSampleRate}, func(*config.Config) {}},
		{"environment with capitals",
			map[string]string{config.EnvEnvironment: "Production"},
			[]string{config.EnvEnvironment}, func(*config.Config) {}},
		{"bad and good together",
			map[string]string{
				config.EnvSampleRate:  "abc",
				config.EnvEnvironment: "Production",
				config.EnvFlushAt:     "-1",
				config.EnvRelease:     "v1.2.3",
				config.EnvTimeout:     "2",
			},
			[]string{config.EnvSampleRate, config.EnvEnvironment, config.EnvFlushAt},
			func(c *config.Config) { c.Release = "v1.2.3"; c.Timeout = 2e9 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearLangfuseEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			rec := langfusetest.NewRecorder()
			c, err := langfuse.New(langfuse.WithSpanExporter(rec))
			require.NotNil(t, c, "a bad observability setting must not cost the client")
			t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
			require.Error(t, err)
			assert.ErrorIs(t, err, config.ErrInvalid)
			for _, name := range tt.wantBad {
				assert.ErrorContains(t, err, name+"=")
			}
			want := config.Default()
			tt.want(&want)
			assert.Equal(t, want, c.Config(), "defaults for the bad settings, the good ones applied")
			recordsSpans(t, c, rec)
		})
	}
}

// A lone key is reported by name, and is not taken for "no keys": the
// client does not print traces (input and output included) to the
// console. With an exporter of its own the client records as usual.
func TestNewWithLoneKey(t *testing.T) {
	tests := []struct {
		name     string
		set      string
		value    string
		missing  string
		exporter bool
	}{
		{"public only", config.EnvPublicKey, "pk-lf-1", config.EnvSecretKey, false},
		{"secret only", config.EnvSecretKey, "sk-lf-secret", config.EnvPublicKey, false},
		{"public only, own exporter", config.EnvPublicKey, "pk-lf-1", config.EnvSecretKey, true},
		{"secret only, own exporter", config.EnvSecretKey, "sk-lf-secret", config.EnvPublicKey, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearLangfuseEnv(t)
			t.Setenv(tt.set, tt.value)
			var console, logs bytes.Buffer
			rec := langfusetest.NewRecorder()
			opts := []langfuse.Option{
				langfuse.WithConsoleWriter(&console),
				langfuse.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
			}
			if tt.exporter {
				opts = append(opts, langfuse.WithSpanExporter(rec))
			}
			c, err := langfuse.New(opts...)
			require.NotNil(t, c)
			t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
			require.Error(t, err)
			assert.ErrorIs(t, err, config.ErrInvalid)
			assert.ErrorContains(t, err, tt.missing+": not set, but "+tt.set+" is")
			assert.NotContains(t, err.Error(), "sk-lf-secret")

			_, o := observe.Start(context.Background(), "lone-key", observe.WithInput("private input"))
			o.End()
			require.NoError(t, c.Flush(context.Background()))
			assert.Empty(t, console.String(), "nothing is printed to the console")
			assert.NotContains(t, logs.String(), "printing traces to the console")
			assert.NotContains(t, logs.String(), "sk-lf-secret")
			_, recorded := rec.Find("lone-key")
			assert.Equal(t, tt.exporter, recorded)
			assert.Equal(t, tt.exporter, c.Config().TracingEnabled)
		})
	}
}

// Both keys unset is still the console fallback, which says so.
func TestNewWithoutKeysPrintsToConsole(t *testing.T) {
	clearLangfuseEnv(t)
	var console, logs bytes.Buffer
	c, err := langfuse.New(langfuse.WithConsoleWriter(&console),
		langfuse.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	_, o := observe.Start(context.Background(), "console-span")
	o.End()
	require.NoError(t, c.Flush(context.Background()))
	assert.Contains(t, console.String(), "console-span")
	assert.Contains(t, logs.String(), "printing traces to the console")
}

// A base URL carrying credentials is refused and its password appears
// neither in New's error nor in the logs; the client records into the
// exporter it was given, and the Config holds no base URL.
func TestNewBaseURLWithUserInfoNeverShowsThePassword(t *testing.T) {
	const secret = "sk-lf-TOPSECRET"
	for _, name := range []string{config.EnvBaseURL, config.EnvHost} {
		t.Run(name, func(t *testing.T) {
			clearLangfuseEnv(t)
			t.Setenv(name, "https://pk-lf-1:"+secret+"@langfuse.example.com")
			t.Setenv(config.EnvDebug, "true")
			var logs bytes.Buffer
			rec := langfusetest.NewRecorder()
			c, err := langfuse.New(langfuse.WithSpanExporter(rec),
				langfuse.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			require.NotNil(t, c)
			t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
			require.ErrorIs(t, err, config.ErrInvalid)
			assert.ErrorContains(t, err, "user info is not allowed")
			assert.ErrorContains(t, err, "pk-lf-1:xxxxx@langfuse.example.com")
			assert.NotContains(t, err.Error(), secret)
			assert.Empty(t, c.Config().BaseURL, "no destination in place of the bad one")
			recordsSpans(t, c, rec)
			assert.NotContains(t, logs.String(), secret)
		})
	}
}

// New returns no client only when it cannot build one: a Config the
// program built and passed with WithConfig that fails Validate is used
// as given or not at all.
func TestNewWithInvalidConfigReturnsNil(t *testing.T) {
	tests := []struct {
		name    string
		modify  func(*config.Config)
		wantErr string
	}{
		{"sample rate", func(c *config.Config) { c.SampleRate = 2 }, "SampleRate=2"},
		{"lone key", func(c *config.Config) { c.PublicKey = "pk-lf-1" }, "SecretKey: not set"},
		{"user info", func(c *config.Config) { c.BaseURL = "https://pk:sk-lf-secret@example.com" },
			`BaseURL="https://pk:xxxxx@example.com"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			tt.modify(&cfg)
			c, err := langfuse.New(langfuse.WithConfig(cfg), langfuse.WithSpanExporter(langfusetest.NewRecorder()))
			assert.Nil(t, c)
			require.ErrorIs(t, err, config.ErrInvalid)
			assert.ErrorContains(t, err, tt.wantErr)
			assert.NotContains(t, err.Error(), "sk-lf-secret")
			// Shutdown on the nil client is safe, so the logging
			// pattern's deferred Shutdown does not panic.
			assert.NoError(t, c.Shutdown(context.Background()))
		})
	}
}

// A malformed destination fails closed. Before, LANGFUSE_BASE_URL without
// a scheme left Langfuse Cloud in the Config, and the client sent the
// program's traces, and its keys, there. Now New returns the error and a
// client that exports nothing: tracing off, no base URL, nothing printed
// either (the keys say the traces were meant for a server).
func TestNewWithBadDestinationExportsNothing(t *testing.T) {
	for _, name := range []string{config.EnvBaseURL, config.EnvHost} {
		for _, value := range []string{
			"127.0.0.1:4000", "localhost:4000", "ftp://langfuse.internal", "https://",
			"https://langfuse.internal?region=eu", "https://pk:sk-lf-secret@langfuse.internal",
		} {
			t.Run(name+"="+value, func(t *testing.T) {
				clearLangfuseEnv(t)
				t.Setenv(config.EnvPublicKey, "pk-lf-1")
				t.Setenv(config.EnvSecretKey, "sk-lf-secret")
				t.Setenv(name, value)
				var console, logs bytes.Buffer
				c, err := langfuse.New(langfuse.WithConsoleWriter(&console),
					langfuse.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
				require.NotNil(t, c, "a bad setting does not cost the program its client")
				t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
				require.ErrorIs(t, err, config.ErrDestination)
				assert.ErrorIs(t, err, config.ErrInvalid)
				assert.ErrorContains(t, err, name+"=")
				assert.NotContains(t, err.Error(), "sk-lf-secret")
				// Checked before anything is flushed: the client of the bug
				// would send to Langfuse Cloud.
				require.Empty(t, c.Config().BaseURL, "never the default destination")
				require.False(t, c.Config().TracingEnabled, "nothing is exported")

				ctx, o := observe.Start(context.Background(), "after-bad-destination", observe.WithInput("private input"))
				assert.False(t, o.Span().IsRecording())
				require.NoError(t, langfuse.CreateScore(ctx, langfuse.Score{Name: "s", Value: 1, TraceID: observe.CreateTraceID("t")}))
				o.End()
				require.NoError(t, c.Flush(context.Background()))
				assert.Equal(t, langfuse.Stats{}, c.Stats())
				assert.Empty(t, console.String(), "nothing printed either")
				assert.NotContains(t, logs.String(), "sk-lf-secret")
			})
		}
	}

	t.Run("without keys the console as always", func(t *testing.T) {
		clearLangfuseEnv(t)
		t.Setenv(config.EnvBaseURL, "127.0.0.1:4000")
		var console bytes.Buffer
		c, err := langfuse.New(langfuse.WithConsoleWriter(&console), langfuse.WithLogger(slog.New(slog.DiscardHandler)))
		require.NotNil(t, c)
		t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
		require.ErrorIs(t, err, config.ErrDestination)
		assert.Empty(t, c.Config().BaseURL)
		_, o := observe.Start(context.Background(), "console-span")
		o.End()
		require.NoError(t, c.Flush(context.Background()))
		assert.Contains(t, console.String(), "console-span")
	})

	t.Run("bad tracing switch", func(t *testing.T) {
		clearLangfuseEnv(t)
		t.Setenv(config.EnvPublicKey, "pk-lf-1")
		t.Setenv(config.EnvSecretKey, "sk-lf-secret")
		t.Setenv(config.EnvTracingEnabled, "flase")
		rec := langfusetest.NewRecorder()
		c, err := langfuse.New(langfuse.WithSpanExporter(rec))
		require.NotNil(t, c)
		t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
		require.ErrorIs(t, err, config.ErrDestination)
		assert.ErrorContains(t, err, config.EnvTracingEnabled+`="flase"`)
		require.False(t, c.Config().TracingEnabled)
		_, o := observe.Start(context.Background(), "off")
		o.End()
		require.NoError(t, c.Flush(context.Background()))
		assert.Empty(t, rec.Spans(), "a switch that may have meant off is off")
	})

	// With a provider of its own the program chose where spans go, but
	// scores would still go to the base URL: they go nowhere.
	t.Run("own provider gets no scores", func(t *testing.T) {
		clearLangfuseEnv(t)
		t.Setenv(config.EnvPublicKey, "pk-lf-1")
		t.Setenv(config.EnvSecretKey, "sk-lf-secret")
		t.Setenv(config.EnvBaseURL, "127.0.0.1:4000")
		rec := langfusetest.NewRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(rec))
		t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		c, err := langfuse.New(langfuse.WithTracerProvider(tp), langfuse.WithLogger(slog.New(slog.DiscardHandler)))
		require.NotNil(t, c)
		t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
		require.ErrorIs(t, err, config.ErrDestination)
		ctx, o := observe.Start(context.Background(), "own-provider")
		require.NoError(t, langfuse.CreateScore(ctx, langfuse.Score{Name: "s", Value: 1, TraceID: o.TraceID()}))
		o.End()
		require.NoError(t, c.Flush(context.Background()))
		_, ok := rec.Find("own-provider")
		assert.True(t, ok, "spans go where the program's provider sends them")
		assert.Equal(t, langfuse.Stats{}, c.Stats(), "no score queued for a destination that is not there")
	})
}

// A Config the program built with a bad destination is refused whole: no
// client, nothing sent.
func TestNewWithConfigBadDestinationReturnsNil(t *testing.T) {
	cfg := config.Default()
	cfg.PublicKey, cfg.SecretKey = "pk-lf-1", "sk-lf-secret"
	cfg.BaseURL = "127.0.0.1:4000"
	c, err := langfuse.New(langfuse.WithConfig(cfg))
	assert.Nil(t, c)
	require.ErrorIs(t, err, config.ErrDestination)
	assert.ErrorContains(t, err, `BaseURL="127.0.0.1:4000"`)
}

// A capture switch that is not a boolean may have meant "off": the client
// still records, but no wrapped call's input or output.
func TestNewWithBadCaptureSwitchRecordsWithoutIO(t *testing.T) {
	clearLangfuseEnv(t)
	t.Setenv(config.EnvIOCaptureEnabled, "disabled")
	rec := langfusetest.NewRecorder()
	c, err := langfuse.New(langfuse.WithSpanExporter(rec))
	require.NotNil(t, c, "a bad capture switch must not cost the client")
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	require.ErrorIs(t, err, config.ErrInvalid)
	assert.NotErrorIs(t, err, config.ErrDestination)
	assert.ErrorContains(t, err, config.EnvIOCaptureEnabled+"=")
	assert.False(t, c.Config().IOCaptureEnabled)

	echo := langfuse.Observe1("echo", func(_ context.Context, s string) (string, error) { return s + "!", nil })
	out, err := echo(c.Context(context.Background()), "secret")
	require.NoError(t, err)
	assert.Equal(t, "secret!", out, "the wrapped call's result is unchanged")
	require.NoError(t, c.Flush(context.Background()))
	o := find(t, rec, "echo")
	assert.Empty(t, o.Input)
	assert.Empty(t, o.Output)
}
