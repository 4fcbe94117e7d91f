package scores

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/lfhttp"
)

// queueFor returns a queue that sends to the Langfuse at base, with short
// backoff, shut down at the end of the test.
func queueFor(t *testing.T, base string, change func(*Config)) (*Queue, *logBuffer) {
	t.Helper()
	lf := config.Default()
	lf.PublicKey, lf.SecretKey, lf.BaseURL = testPublic, testSecret, base
	h, err := lfhttp.New(lf, lfhttp.SDK{Name: "langfuse-go", Version: "0.0.0-test"}, nil)
	require.NoError(t, err)
	logs := &logBuffer{}
	cfg := Config{
		HTTP:      h,
		Timeout:   5 * time.Second,
		BatchSize: 10,
		MaxQueue:  1000,
		Interval:  time.Hour, // only full batches, Flush and Shutdown send
		Logger:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if change != nil {
		change(&cfg)
	}
	q := NewQueue(cfg)
	q.firstWait, q.maxWait = time.Millisecond, 5*time.Millisecond
	t.Cleanup(func() { _ = q.Shutdown(context.Background()) })
	return q, logs
}

// recorder answers every request 200 and keeps what it saw.
type recorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path string
	header       http.Header
	body         []byte
}

func newRecorder(t *testing.T, answer func(w http.ResponseWriter, r *http.Request) bool) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, recorded{r.Method, r.URL.Path, r.Header.Clone(), b})
		rec.mu.Unlock()
		if answer != nil && answer(w, r) {
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (r *recorder) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// TestScoresCarryTheSDKHeaders checks that a score request names the SDK
// as a span export does, its User-Agent included.
func TestScoresCarryTheSDKHeaders(t *testing.T) {
	rec := newRecorder(t, nil)
	q, _ := queueFor(t, rec.srv.URL, nil)
	q.Add(score(t, Score{Name: "s", TraceID: testTrace, Value: 1}))
	require.NoError(t, q.Flush(context.Background()))
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	h := reqs[0].header
	assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(testPublic+":"+testSecret)), h.Get("Authorization"))
	assert.Equal(t, "langfuse-go", h.Get("x-langfuse-sdk-name"))
	assert.NotEmpty(t, h.Get("x-langfuse-sdk-version"))
	assert.Equal(t, testPublic, h.Get("x-langfuse-public-key"))
	assert.True(t, strings.HasPrefix(h.Get("User-Agent"), "langfuse-go/"), h.Get("User-Agent"))
	assert.Empty(t, h.Get("x-langfuse-ingestion-version"), "an OTLP header")
}

// TestScoreRedirectsAreNotFollowed checks that a redirect that would drop
// the body, or take the credentials to another origin, fails the batch
// instead of counting it sent.
func TestScoreRedirectsAreNotFollowed(t *testing.T) {
	other := newRecorder(t, nil)
	for name, tc := range map[string]struct {
		status int
		to     func(self string) string
	}{
		"302 to a GET":        {http.StatusFound, func(self string) string { return self + "/moved" }},
		"303 to a GET":        {http.StatusSeeOther, func(self string) string { return self + "/moved" }},
		"307 to another port": {http.StatusTemporaryRedirect, func(string) string { return other.srv.URL + "/api/public/ingestion" }},
	} {
		t.Run(name, func(t *testing.T) {
			var self string
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path == "/api/public/ingestion" {
					http.Redirect(w, r, tc.to(self), tc.status)
					return true
				}
				return false
			})
			self = rec.srv.URL
			q, logs := queueFor(t, rec.srv.URL, nil)
			q.Add(score(t, Score{Name: "s", TraceID: testTrace, Value: 1}))
			err := q.Flush(context.Background())
			require.Error(t, err, "Flush returns the failure")
			assert.Contains(t, err.Error(), "not followed")
			st := q.Stats()
			assert.Zero(t, st.Sent)
			assert.Equal(t, uint64(1), st.Failed)
			require.Error(t, st.LastError)
			assert.Contains(t, st.LastError.Error(), "not followed")
			assert.Contains(t, logs.String(), "redirect")
			assert.Len(t, rec.requests(), 1, "the redirect was not followed")
			assert.Empty(t, other.requests(), "no credentials reached another origin")
		})
	}
}

// TestHugeRetryAfterGivesUpAtOnce checks that a Retry-After too large to
// wait for, however large, fails the batch at once instead of retrying.
func TestHugeRetryAfterGivesUpAtOnce(t *testing.T) {
	for _, v := range []string{"3600", "9999999999", "99999999999999999999"} {
		t.Run(v, func(t *testing.T) {
			rec := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) bool {
				w.Header().Set("Retry-After", v)
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			})
			q, _ := queueFor(t, rec.srv.URL, func(c *Config) { c.Timeout = time.Minute })
			q.Add(score(t, Score{Name: "s", TraceID: testTrace, Value: 1}))
			require.Error(t, q.Flush(context.Background()))
			assert.Len(t, rec.requests(), 1, "not retried")
			assert.Equal(t, uint64(1), q.Stats().Failed)
		})
	}
}

// ingestionBatch decodes a request body's events.
func ingestionBatch(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var req struct {
		Batch []map[string]any `json:"batch"`
	}
	require.NoError(t, json.Unmarshal(body, &req))
	return req.Batch
}

// TestScoreOverTheLimitIsDropped checks that a score too large for a
// request under the documented limit is not sent, counts as dropped and
// is logged with the reason, while the scores beside it are sent.
func TestScoreOverTheLimitIsDropped(t *testing.T) {
	rec := newRecorder(t, nil)
	q, logs := queueFor(t, rec.srv.URL, nil)
	q.Add(score(t, Score{Name: "a", TraceID: testTrace, Value: 1}))
	q.Add(score(t, Score{Name: "huge", TraceID: testTrace, Value: 1, Comment: strings.Repeat("x", 16<<20)}))
	q.Add(score(t, Score{Name: "b", TraceID: testTrace, Value: 1}))
	require.ErrorIs(t, q.Flush(context.Background()), errScoreTooLarge, "Flush tells of the loss")
	var names []string
	for _, r := range rec.requests() {
		assert.LessOrEqual(t, len(r.body), 16<<20)
		for _, e := range ingestionBatch(t, r.body) {
			names = append(names, e["body"].(map[string]any)["name"].(string))
		}
	}
	assert.ElementsMatch(t, []string{"a", "b"}, names)
	st := q.Stats()
	assert.Equal(t, uint64(2), st.Sent)
	assert.Equal(t, uint64(1), st.Dropped)
	assert.Contains(t, logs.String(), "16 MiB")
	assert.Contains(t, logs.String(), "huge")
}

// TestScoreBatchOverTheLimitIsSplit checks that a batch whose request
// would pass the limit goes in several requests under it, every score
// once. The limit is lowered so that the test is quick.
func TestScoreBatchOverTheLimitIsSplit(t *testing.T) {
	const limit = 8 << 10
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) bool {
		assert.LessOrEqual(t, r.ContentLength, int64(limit))
		return false
	})
	q, logs := queueFor(t, rec.srv.URL, func(c *Config) { c.MaxRequestBytes = limit })
	want := map[string]bool{}
	for i := range 10 {
		name := fmt.Sprintf("s%d", i)
		want[name] = true
		q.Add(score(t, Score{Name: name, TraceID: testTrace, Value: 1, Comment: strings.Repeat("c", 2000)}))
	}
	require.NoError(t, q.Flush(context.Background()))
	got := map[string]bool{}
	reqs := rec.requests()
	assert.Greater(t, len(reqs), 2)
	for _, r := range reqs {
		assert.LessOrEqual(t, len(r.body), limit)
		for _, e := range ingestionBatch(t, r.body) {
			name := e["body"].(map[string]any)["name"].(string)
			assert.False(t, got[name], "%s sent twice", name)
			got[name] = true
		}
	}
	assert.Equal(t, want, got)
	assert.Equal(t, Stats{Sent: 10}, q.Stats())
	assert.Empty(t, logs.String())
}
