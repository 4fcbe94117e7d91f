// Package llmtest is what the tests of the integrations share: model APIs
// faked on 127.0.0.1 or in memory, clients of their own that record or
// discard, and assertions on what was recorded. It is imported by tests
// only.
package llmtest
