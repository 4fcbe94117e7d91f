package e2e_test

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/semconv"
)

// binomialBounds returns the smallest lo and largest hi such that a
// Binomial(n, p) count falls below lo, or above hi, each with a
// probability of at most alpha/2: a kept share outside [lo, hi] is a
// sampler that does not keep p of the traces, not bad luck (for
// alpha = 1e-6, one run in a million).
func binomialBounds(n int, p, alpha float64) (lo, hi int) {
	switch {
	case p <= 0:
		return 0, 0
	case p >= 1:
		return n, n
	}
	pmf := make([]float64, n+1)
	for k := 0; k <= n; k++ {
		lg, _ := math.Lgamma(float64(n + 1))
		lk, _ := math.Lgamma(float64(k + 1))
		lnk, _ := math.Lgamma(float64(n - k + 1))
		pmf[k] = math.Exp(lg - lk - lnk + float64(k)*math.Log(p) + float64(n-k)*math.Log1p(-p))
	}
	cum := 0.0
	for lo = 0; lo < n; lo++ {
		if cum+pmf[lo] > alpha/2 {
			break
		}
		cum += pmf[lo]
	}
	cum = 0.0
	for hi = n; hi > 0; hi-- {
		if cum+pmf[hi] > alpha/2 {
			break
		}
		cum += pmf[hi]
	}
	return lo, hi
}

func TestBinomialBounds(t *testing.T) {
	// Against the normal approximation: mean 75, sd 7.5, so about
	// ±4.9 sd for 1e-6 in both tails.
	lo, hi := binomialBounds(300, 0.25, 1e-6)
	assert.InDelta(t, 75-4.9*7.5, lo, 3)
	assert.InDelta(t, 75+4.9*7.5, hi, 3)
	lo, hi = binomialBounds(10, 1, 1e-6)
	assert.Equal(t, []int{10, 10}, []int{lo, hi})
	lo, hi = binomialBounds(10, 0, 1e-6)
	assert.Equal(t, []int{0, 0}, []int{lo, hi})
}

// scaleAlpha is the chance that the kept share of a correct sampler falls
// outside the bound the test checks.
const scaleAlpha = 1e-6

// traceReport is what checkTraces found at the sink for the traces sent.
type traceReport struct {
	failed, failedWhole        int // failed traces sent, and received whole
	plain, plainKept           int // other traces sent, and received whole
	partial, unknown, dupSpans int
	lo, hi                     int // bound of plainKept
}

func (r traceReport) String() string {
	return fmt.Sprintf("failed %d/%d whole; kept %d of %d others (bound %d..%d); %d partial, %d unknown, %d duplicate spans",
		r.failedWhole, r.failed, r.plainKept, r.plain, r.lo, r.hi, r.partial, r.unknown, r.dupSpans)
}

// checkTraces checks what the sink holds of the traces in runs against
// the recipe's promise: every failed trace whole, every trace received
// whole (every span of both processes, linked parent to child), the
// kept share of the others within the binomial bound for percent, and
// the library's attributes as a direct export has them. Traces of other
// runs (sent is every run so far) are left alone.
func checkTraces(t *testing.T, sink *langfuseSink, percent float64, sent scaleRun, runs ...scaleRun) traceReport {
	t.Helper()
	traces, _, problems := sink.snapshot()
	assert.Empty(t, problems, "the sink's problems with what the gateways sent")
	var r traceReport
	var bad []string
	want := scaleRun{}
	for _, run := range runs {
		for id, failed := range run {
			want[id] = failed
		}
	}
	for id, spans := range traces {
		if _, ok := sent[id]; !ok {
			r.unknown++
			continue
		}
		failed, ok := want[id]
		if !ok {
			continue
		}
		whole, dups, why := wholeTrace(spans, failed)
		r.dupSpans += dups
		if !whole {
			r.partial++
			bad = append(bad, fmt.Sprintf("trace %s (failed %v): %s", id, failed, why))
			continue
		}
		if !failed {
			r.plainKept++
		}
	}
	for id, failed := range want {
		if failed {
			r.failed++
			if whole, _, _ := wholeTrace(traces[id], true); whole {
				r.failedWhole++
			} else if len(traces[id]) == 0 {
				bad = append(bad, fmt.Sprintf("failed trace %s: not received", id))
			}
		} else {
			r.plain++
		}
	}
	r.lo, r.hi = binomialBounds(r.plain, percent/100, scaleAlpha)
	sort.Strings(bad)
	if len(bad) > 20 {
		bad = append(bad[:20], fmt.Sprintf("... and %d more", len(bad)-20))
	}
	assert.Empty(t, bad, "traces not as sent")
	assert.Zero(t, r.unknown, "traces the test did not send")
	assert.Equal(t, r.failed, r.failedWhole, "every failed trace, whole")
	assert.Zero(t, r.partial, "partial traces")
	assert.GreaterOrEqual(t, r.plainKept, r.lo, "kept share of the other traces, %v%% of %d", percent, r.plain)
	assert.LessOrEqual(t, r.plainKept, r.hi, "kept share of the other traces, %v%% of %d", percent, r.plain)
	t.Logf("at the sink: %v", r)
	return r
}

// wholeTrace reports whether spans are exactly the spans of one trace of
// the two applications, linked across them, with the attributes the
// library sets, and counts spans received more than once.
func wholeTrace(spans []sinkSpan, failed bool) (whole bool, dups int, why string) {
	byID := map[string]sinkSpan{}
	for _, s := range spans {
		if _, ok := byID[s.SpanID]; ok {
			dups++
			continue
		}
		byID[s.SpanID] = s
	}
	if len(byID) != scaleSpansPerTrace {
		names := make([]string, 0, len(byID))
		for _, s := range byID {
			names = append(names, s.Service+":"+s.Name)
		}
		sort.Strings(names)
		return false, dups, fmt.Sprintf("%d spans: %s", len(byID), strings.Join(names, ", "))
	}
	byName := map[string]sinkSpan{}
	for _, s := range byID {
		if !slices.Contains(scaleSpans[s.Service], s.Name) {
			return false, dups, fmt.Sprintf("span %q of service %q", s.Name, s.Service)
		}
		byName[s.Name] = s
	}
	if len(byName) != scaleSpansPerTrace {
		return false, dups, "a span name twice"
	}
	for _, s := range byID {
		switch s.Name {
		case "a /work":
			if s.ParentID != "" {
				return false, dups, "the front request has a parent"
			}
		case "b /step":
			if s.ParentID != byName["a/call-b"].SpanID {
				return false, dups, "service B's request is not under A's call"
			}
		default:
			if _, ok := byID[s.ParentID]; !ok {
				return false, dups, fmt.Sprintf("%q has no parent in the trace", s.Name)
			}
		}
		// What the library stamps goes through the Collector untouched.
		release := map[string]string{"scale-a": "a-1", "scale-b": "b-1"}[s.Service]
		if s.Attrs[semconv.Environment] != "e2e-scale" || s.Attrs[semconv.Release] != release {
			return false, dups, fmt.Sprintf("%q: environment %q, release %q", s.Name, s.Attrs[semconv.Environment], s.Attrs[semconv.Release])
		}
		// The mark is for a span whose parent is not exported by its
		// process: B's request, under A's span. A's request has no
		// parent at all and is the trace's root, unmarked.
		appRoot := s.Name == "b /step"
		if (s.Attrs[semconv.IsAppRoot] == "true") != appRoot {
			return false, dups, fmt.Sprintf("%q: app-root mark %q", s.Name, s.Attrs[semconv.IsAppRoot])
		}
		isErr := failed && s.Name == "b/tool/call"
		if s.StatusError != isErr || (s.Attrs[semconv.ObservationLevel] == "ERROR") != isErr {
			return false, dups, fmt.Sprintf("%q: status error %v, level %q", s.Name, s.StatusError, s.Attrs[semconv.ObservationLevel])
		}
	}
	return true, dups, ""
}

// pipelineState is what the Collectors' own metrics say about the spans
// in them.
type pipelineState struct {
	lbAccepted, lbSent, lbBusy float64 // load-balancing tier; busy: queued or in flight
	gwNew, gwDecided, gwKept   float64 // traces the gateways got, decided and kept
	gwSent, gwBusy             float64 // spans the gateways sent to the sink; queued or in flight
}

func (s pipelineState) String() string {
	return fmt.Sprintf("load balancer accepted %v spans, sent %v, %v requests busy; gateways got %v traces, decided %v, kept %v, sent %v spans, %v requests busy",
		s.lbAccepted, s.lbSent, s.lbBusy, s.gwNew, s.gwDecided, s.gwKept, s.gwSent, s.gwBusy)
}

// Metric names as the Collector's Prometheus reader writes them.
const (
	mAccepted = "otelcol_receiver_accepted_spans"
	mSent     = "otelcol_exporter_sent_spans"
	mQueue    = "otelcol_exporter_queue_size"
	mInFlight = "otelcol_exporter_in_flight_requests"
	mNew      = "otelcol_processor_tail_sampling_new_trace_id_received"
	mDecided  = "otelcol_processor_tail_sampling_global_count_traces_sampled"
)

// readPipeline scrapes the load balancer, if there is one, and the
// gateways.
func readPipeline(lb *otelcolProc, gws ...*otelcolProc) (pipelineState, error) {
	var st pipelineState
	if lb != nil {
		m, err := lb.scrape()
		if err != nil {
			return st, err
		}
		st.lbAccepted, st.lbSent, st.lbBusy = m.sum(mAccepted), m.sum(mSent), m.sum(mQueue)+m.sum(mInFlight)
	}
	for _, g := range gws {
		m, err := g.scrape()
		if err != nil {
			return st, err
		}
		st.gwNew += m.sum(mNew)
		st.gwDecided += m.sum(mDecided)
		st.gwKept += m.sum(mDecided, `sampled="true"`)
		st.gwSent += m.sum(mSent)
		st.gwBusy += m.sum(mQueue) + m.sum(mInFlight)
	}
	return st, nil
}

// waitFor polls the Collectors' metrics (and the sink) until done says
// the pipeline is where the test needs it, or timeout passes; it returns
// the last state and whether done said so. The metrics are the
// Collectors' own account of every span; there is nothing to wait on in
// other processes but what they report.
func waitFor(timeout time.Duration, lb *otelcolProc, gws []*otelcolProc, done func(pipelineState) bool) (pipelineState, bool, error) {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := readPipeline(lb, gws...)
		if err == nil && done(st) {
			return st, true, nil
		}
		if time.Now().After(deadline) {
			return st, false, err
		}
		<-tick.C
	}
}

// scaleSettleTimeout bounds how long the pipeline may take to settle after the
// applications flushed: the decision wait, the batches, and retries.
const scaleSettleTimeout = 2 * time.Minute

// waitSettled waits until every span the applications flushed has left
// the load balancer, every gateway has decided every trace it got, and
// the sink holds keptBefore+kept traces (kept: what the gateways running
// now kept; keptBefore: what earlier processes kept) of
// scaleSpansPerTrace spans each, with nothing queued or in flight. Past
// the deadline it returns, and the checks that follow say what is
// missing.
func waitSettled(t *testing.T, sink *langfuseSink, keptBefore float64, lb *otelcolProc, gws ...*otelcolProc) pipelineState {
	t.Helper()
	st, ok, err := waitFor(scaleSettleTimeout, lb, gws, func(st pipelineState) bool {
		// A restarted load balancer counts from 0 and may send what its
		// queue held before: it is through when it has sent at least
		// what it accepted since.
		if st.lbSent < st.lbAccepted || st.lbBusy != 0 {
			return false
		}
		if st.gwNew != st.gwDecided || st.gwBusy != 0 {
			return false
		}
		traces, _, _ := sink.snapshot()
		if float64(len(traces)) != keptBefore+st.gwKept {
			return false
		}
		for _, spans := range traces {
			if len(spans) < scaleSpansPerTrace {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Errorf("not settled after %v: %v (sink: %d spans; last error: %v)", scaleSettleTimeout, st, sink.spanCount(), err)
	}
	return st
}
