package e2e_test

import (
	"context"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"

	"github.com/observe-go/langfuse"
	"github.com/observe-go/langfuse/observe"
	"github.com/observe-go/langfuse/semconv"
)

// The secret the instrumented code handles, and what the mask puts in
// its place.
const (
	secret     = "sk-live-5ec7e70123456789"
	maskMarker = "[REDACTED]"
)

// credentials is a value of the caller's that holds a secret.
type credentials struct {
	User   string `json:"user"`
	APIKey string `json:"api_key"`
}

// redact is the mask under test: it removes the secret from strings,
// credentials, and the lists and maps the SDK builds from arguments.
func redact(v any) any {
	switch x := v.(type) {
	case string:
		return strings.ReplaceAll(x, secret, maskMarker)
	case credentials:
		x.APIKey = redact(x.APIKey).(string)
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = redact(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = redact(e)
		}
		return out
	}
	return v
}

// collectorFile returns everything the collector wrote, after stopping it.
func collectorFile(t *testing.T, c *collector) string {
	t.Helper()
	c.settle(t)
	require.NoError(t, c.stop())
	b, err := os.ReadFile(c.Output)
	require.NoError(t, err)
	return string(b)
}

// TestMaskAppliedBeforeExport checks that the mask runs before anything
// leaves the process: the collector's file holds the mask's marker where
// input, output, metadata and model parameters carried the secret, and
// the secret nowhere.
func TestMaskAppliedBeforeExport(t *testing.T) {
	c := startCollector(t)
	setLangfuseEnv(t, reliabilityEnv(c.URL, nil))
	lf := newClient(t, langfuse.WithMask(redact))

	login := langfuse.Observe1("login", func(ctx context.Context, cr credentials) (string, error) {
		observe.UpdateCurrent(ctx, observe.WithMetadata(map[string]any{"token": secret, "creds": cr}))
		return "session for " + secret, nil
	})
	call := langfuse.Observe2("call", func(ctx context.Context, key string, n int) (string, error) {
		return login(ctx, credentials{User: "ada", APIKey: key})
	})
	stream := langfuse.ObserveSeq("stream", func(_ context.Context, key string) iter.Seq2[string, error] {
		return func(yield func(string, error) bool) { _ = yield("key ", nil) && yield(key, nil) }
	})

	got, err := call(context.Background(), secret, 1)
	require.NoError(t, err)
	assert.Equal(t, "session for "+secret, got, "the mask changes what is recorded, not what is returned")
	for _, err := range stream(context.Background(), secret) {
		require.NoError(t, err)
	}
	_, gen := observe.Start(context.Background(), "generation", observe.AsType(observe.TypeGeneration),
		observe.WithInput(map[string]any{"prompt": "use " + secret}),
		observe.WithModelParameters(map[string]any{"api_key": secret}),
		observe.WithMetadata(map[string]any{"header": "Bearer " + secret}))
	gen.End(observe.WithOutput(secret))
	shutdown(t, lf)

	file := collectorFile(t, c)
	assert.NotContains(t, file, secret, "the secret never left the process")
	spans := byName(t, readSpans(t, c.Output))
	for name, keys := range map[string][]string{
		"call":       {semconv.ObservationInput},
		"login":      {semconv.ObservationInput, semconv.ObservationOutput, semconv.ObservationMetadataPrefix + "token", semconv.ObservationMetadataPrefix + "creds"},
		"stream":     {semconv.ObservationInput, semconv.ObservationOutput},
		"generation": {semconv.ObservationInput, semconv.ObservationOutput, semconv.ObservationModelParameters, semconv.ObservationMetadataPrefix + "header"},
	} {
		s, ok := spans[name]
		require.True(t, ok, "span %q received", name)
		for _, k := range keys {
			assert.Contains(t, s.str(k), maskMarker, "%s: %s", name, k)
		}
	}
}

// TestHandlerNeverRecordsCredentials sends a request with credentials in
// Authorization, Cookie and Proxy-Authorization through ObserveHandler,
// and a response that sets a cookie, and checks that none of them reaches
// the collector, though the request's observation does.
func TestHandlerNeverRecordsCredentials(t *testing.T) {
	const (
		bearer = "bearer-5ec7e7-a1"
		cookie = "cookie-5ec7e7-b2"
		proxy  = "proxy-5ec7e7-c3"
		set    = "set-cookie-5ec7e7-d4"
	)
	c := startCollector(t)
	setLangfuseEnv(t, reliabilityEnv(c.URL, nil))
	lf := newClient(t)

	inner := langfuse.ObserveCtx("inner", func(context.Context) (string, error) { return "ok", nil })
	srv := httptest.NewServer(langfuse.ObserveHandler("GET /private", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := inner(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "session", Value: set})
		_, _ = io.WriteString(w, out)
	})))
	t.Cleanup(srv.Close)

	req, err := http.NewRequest(http.MethodGet, srv.URL+"/private?page=2", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Proxy-Authorization", "Basic "+proxy)
	req.AddCookie(&http.Cookie{Name: "session", Value: cookie})
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "ok", string(body))
	// The client has the answer before the handler has returned and ended
	// the request's observation; Close waits for the handler.
	srv.Close()
	shutdown(t, lf)

	file := collectorFile(t, c)
	for _, s := range []string{bearer, cookie, proxy, set} {
		assert.NotContains(t, file, s, "a credential reached the collector")
	}
	spans := byName(t, readSpans(t, c.Output))
	require.Contains(t, spans, "GET /private", "the request was observed")
	require.Contains(t, spans, "inner")
	assert.Equal(t, spans["GET /private"].SpanID, spans["inner"].ParentSpanID)
	assert.Contains(t, spans["GET /private"].str(semconv.ObservationInput), "/private", "the request is recorded")
}

// TestBaggageOnlyWhenOptedIn makes an outgoing request, with the W3C
// baggage propagator, from inside an observed call under propagated
// attributes, and checks that the langfuse_* members are in the request's
// baggage only with AsBaggage, and that the caller's own members are kept
// either way. The attributes are on the spans in both cases.
func TestBaggageOnlyWhenOptedIn(t *testing.T) {
	got := make(chan string, 1)
	downstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("baggage")
	}))
	t.Cleanup(downstream.Close)

	for _, asBaggage := range []bool{false, true} {
		name := map[bool]string{false: "off", true: "on"}[asBaggage]
		t.Run(name, func(t *testing.T) {
			c := startCollector(t)
			setLangfuseEnv(t, reliabilityEnv(c.URL, nil))
			lf := newClient(t)

			own, err := baggage.NewMember("tenant", "acme")
			require.NoError(t, err)
			b, err := baggage.New(own)
			require.NoError(t, err)
			ctx := baggage.ContextWithBaggage(context.Background(), b)
			ctx = observe.PropagateAttributes(ctx, observe.Attributes{
				UserID:    "user-" + name,
				SessionID: "session-" + name,
				Metadata:  map[string]string{"plan": "pro"},
				AsBaggage: asBaggage,
			})
			callOut := langfuse.ObserveErr("call-out", func(ctx context.Context) error {
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, downstream.URL, nil)
				if err != nil {
					return err
				}
				propagation.Baggage{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
				resp, err := downstream.Client().Do(req)
				if err != nil {
					return err
				}
				return resp.Body.Close()
			})
			require.NoError(t, callOut(ctx))
			shutdown(t, lf)

			header := <-got
			sent, err := baggage.Parse(header)
			require.NoError(t, err, "baggage header %q", header)
			assert.Equal(t, "acme", sent.Member("tenant").Value(), "the caller's own baggage is kept")
			var ours []string
			for _, m := range sent.Members() {
				if strings.HasPrefix(m.Key(), "langfuse_") {
					ours = append(ours, m.Key()+"="+m.Value())
				}
			}
			if asBaggage {
				assert.ElementsMatch(t, []string{
					"langfuse_user_id=user-on",
					"langfuse_session_id=session-on",
					"langfuse_metadata_plan=pro",
				}, ours, "header %q", header)
			} else {
				assert.Empty(t, ours, "nothing leaves in baggage without AsBaggage; header %q", header)
				assert.NotContains(t, header, "user-off")
			}

			received := byName(t, c.spans(t))
			require.Contains(t, received, "call-out", "the observed call reached the collector")
			span := received["call-out"]
			assert.Equal(t, "user-"+name, span.str(semconv.UserID), "the span carries the attributes either way")
			assert.Equal(t, "session-"+name, span.str(semconv.SessionID))
		})
	}
}
