package core

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/observe-go/langfuse/capture"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/internal/scores"
)

// Score checks s and hands it to st's score sink, its comment and meta
// (as its metadata) through st's mask first. A malformed score is an
// error, whether or not st records anything; a well-formed one for a
// client that records nothing costs nothing.
func Score(st *global.State, s *scores.Score, meta map[string]any) error {
	if _, err := scores.Check(s); err != nil {
		return err
	}
	if !st.Live() || st.Scores == nil {
		return nil
	}
	deliver(st, s, meta)
	return nil
}

// deliver masks, normalizes, stamps and queues a checked score; kept out
// of Score so that the path that records nothing stays free of it.
func deliver(st *global.State, s *scores.Score, meta map[string]any) {
	_ = scores.Normalize(s) // checked already
	copts := captureOptions(st)
	if s.Comment != "" {
		// Masked, bounded and made valid UTF-8 like every captured text.
		s.Comment = capture.String(s.Comment, copts)
	}
	if meta != nil {
		s.Metadata = metadataJSON(meta, copts)
	}
	scores.Stamp(s)
	st.Scores.Add(*s)
}

// metadataJSON is meta as a JSON object, each value captured on its own,
// so that the mask sees every value as it does in observation metadata.
func metadataJSON(meta map[string]any, copts capture.Options) string {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(k) // a string always marshals
		b.Write(key)
		b.WriteByte(':')
		if copts.RedactsName(k) {
			b.WriteString(`"` + capture.Redacted + `"`)
			continue
		}
		b.WriteString(capture.JSON(meta[k], copts))
	}
	b.WriteByte('}')
	return b.String()
}
