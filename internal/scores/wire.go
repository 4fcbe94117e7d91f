package scores

import (
	"encoding/json"
	"time"
)

// The request and reply of POST /api/public/ingestion, as Langfuse's
// public API reference (IngestionBatchRequest, ScoreEvent, ScoreBody,
// IngestionResponse) defines them. A request is {"batch": [events]}.

// eventType is the type of the ingestion event that creates a score.
const eventType = "score-create"

// ingestionEvent is the envelope: its id is how the server deduplicates
// events, the body's id is the score's.
type ingestionEvent struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Timestamp string    `json:"timestamp"` // ISO 8601, milliseconds at least
	Body      scoreBody `json:"body"`
}

type scoreBody struct {
	ID            string          `json:"id"`
	TraceID       string          `json:"traceId,omitempty"`
	SessionID     string          `json:"sessionId,omitempty"`
	DatasetRunID  string          `json:"datasetRunId,omitempty"`
	ObservationID string          `json:"observationId,omitempty"`
	Name          string          `json:"name"`
	Value         any             `json:"value"` // a number, or a string for CATEGORICAL
	DataType      string          `json:"dataType"`
	Comment       string          `json:"comment,omitempty"`
	ConfigID      string          `json:"configId,omitempty"`
	Metadata      json.RawMessage `json:"metadata,omitempty"`
	Environment   string          `json:"environment,omitempty"`
}

// ingestionReply is the body of a 200 or 207 answer: one entry per event,
// by event id.
type ingestionReply struct {
	Successes []struct {
		ID     string `json:"id"`
		Status int    `json:"status"`
	} `json:"successes"`
	Errors []struct {
		ID      string          `json:"id"`
		Status  int             `json:"status"`
		Message string          `json:"message"`
		Error   json.RawMessage `json:"error"`
	} `json:"errors"`
}

// timestampLayout is RFC 3339 in UTC with milliseconds, as the SDKs send.
const timestampLayout = "2006-01-02T15:04:05.000Z07:00"

// encodeEvent returns the ingestion event of s, as it goes in a batch.
func encodeEvent(s Score) ([]byte, error) {
	return json.Marshal(ingestionEvent{
		ID:        s.EventID,
		Type:      eventType,
		Timestamp: s.Timestamp.UTC().Format(timestampLayout),
		Body: scoreBody{
			ID:            s.ID,
			TraceID:       s.TraceID,
			SessionID:     s.SessionID,
			DatasetRunID:  s.DatasetRunID,
			ObservationID: s.ObservationID,
			Name:          s.Name,
			Value:         s.Value,
			DataType:      s.DataType,
			Comment:       s.Comment,
			ConfigID:      s.ConfigID,
			Metadata:      metadataJSON(s.Metadata),
			Environment:   s.Environment,
		},
	})
}

// The JSON around the events of a request: an ingestionRequest.
const (
	batchOpen  = `{"batch":[`
	batchClose = `]}`
)

// batchBody returns the request body of as many of events, from the
// first, as fit in limit bytes, and how many that is: at least one,
// which the caller made sure fits alone.
func batchBody(events [][]byte, limit int) (int, []byte) {
	size, n := len(batchOpen)+len(batchClose)+len(events[0]), 1
	for n < len(events) && size+1+len(events[n]) <= limit {
		size += 1 + len(events[n])
		n++
	}
	b := make([]byte, 0, size)
	b = append(b, batchOpen...)
	for i, e := range events[:n] {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	return n, append(b, batchClose...)
}

// metadataJSON is metadata as it goes on the wire: the JSON text itself,
// or, when a size limit cut it, that text as a JSON string, so that one
// score's metadata never makes the whole batch unreadable.
func metadataJSON(text string) json.RawMessage {
	if text == "" {
		return nil
	}
	if json.Valid([]byte(text)) {
		return json.RawMessage(text)
	}
	b, _ := json.Marshal(text) // a string always marshals
	return b
}

// Timestamp formats t as a score's event timestamp.
func Timestamp(t time.Time) string { return t.UTC().Format(timestampLayout) }
