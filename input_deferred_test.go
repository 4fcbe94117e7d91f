package langfuse_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

type askArgs struct {
	Text string `json:"text"`
}

// The arguments of a wrapped call are captured as the call starts and
// written as it ends, however it ends.
func TestWrapperInputOnEveryEnd(t *testing.T) {
	_, rec := newClient(t)
	ask := func(name string, body func(context.Context, *askArgs) (string, error)) func(context.Context, *askArgs) (string, error) {
		return langfuse.Observe1(name, body, observe.AsType(observe.TypeTool))
	}
	ctx := context.Background()

	_, err := ask("returns", func(context.Context, *askArgs) (string, error) { return "ok", nil })(ctx, &askArgs{"a"})
	require.NoError(t, err)
	_, err = ask("fails", func(context.Context, *askArgs) (string, error) { return "", errors.New("no") })(ctx, &askArgs{"b"})
	require.Error(t, err)
	assert.Panics(t, func() {
		_, _ = ask("panics", func(context.Context, *askArgs) (string, error) { panic("boom") })(ctx, &askArgs{"c"})
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = ask("exits", func(context.Context, *askArgs) (string, error) { runtime.Goexit(); return "", nil })(ctx, &askArgs{"d"})
	}()
	wg.Wait()
	// A pointer argument changed by the call is recorded as it was when
	// the call started.
	_, err = ask("mutates", func(_ context.Context, q *askArgs) (string, error) { q.Text = "changed"; return "", nil })(ctx, &askArgs{"e"})
	require.NoError(t, err)

	for name, want := range map[string]string{"returns": "a", "fails": "b", "panics": "c", "exits": "d", "mutates": "e"} {
		o := find(t, rec, name)
		assert.JSONEq(t, `{"text":"`+want+`"}`, o.Input, name)
		assert.Equal(t, "tool", o.Type, name)
	}
	assert.Equal(t, "ERROR", find(t, rec, "fails").Level)
	assert.Equal(t, "ERROR", find(t, rec, "panics").Level)
}

// An input given explicitly during the call takes the place of the
// arguments.
func TestExplicitInputDuringTheCallWins(t *testing.T) {
	_, rec := newClient(t)
	_, err := langfuse.Observe1("rewrites", func(ctx context.Context, q string) (string, error) {
		observe.UpdateCurrent(ctx, observe.WithInput("rewritten "+q))
		return "ok", nil
	})(context.Background(), "query")
	require.NoError(t, err)
	assert.Equal(t, "rewritten query", find(t, rec, "rewrites").Input)
}

// startTypes records the observation type each span carries when its
// processors' OnStart sees it.
type startTypes struct {
	mu    sync.Mutex
	types map[string]string
}

func (p *startTypes) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, kv := range s.Attributes() {
		if kv.Key == attribute.Key(semconv.ObservationType) {
			p.types[s.Name()] = kv.Value.AsString()
		}
	}
}
func (p *startTypes) OnEnd(sdktrace.ReadOnlySpan)      {}
func (p *startTypes) Shutdown(context.Context) error   { return nil }
func (p *startTypes) ForceFlush(context.Context) error { return nil }

// A wrapper's type is on its span from the start, where span processors
// and samplers see it, as Langfuse's wire contract says.
func TestWrapperTypeIsSetAtStart(t *testing.T) {
	seen := &startTypes{types: map[string]string{}}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(seen))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	lf, err := langfuse.New(langfuse.WithTracerProvider(tp), langfuse.AsDefault(false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = lf.Shutdown(context.Background()) })
	ctx := lf.Context(context.Background())
	_, err = langfuse.Observe1("retrieve", func(context.Context, string) (int, error) { return 1, nil },
		observe.AsType(observe.TypeRetriever))(ctx, "q")
	require.NoError(t, err)
	seen.mu.Lock()
	defer seen.mu.Unlock()
	assert.Equal(t, "retriever", seen.types["retrieve"])
}
