// Package scores validates Langfuse scores and delivers them to the
// public ingestion API (POST /api/public/ingestion, a batch of
// score-create events) from a bounded queue in the background.
//
// Scores are not spans: they travel on their own request, with the same
// Basic auth as the OpenTelemetry export. A score's id and its event id are
// set once, when it is queued, so that a retried request never makes a
// second score. Only the standard library is used: the root package hands
// in the endpoint, headers and credentials.
package scores
