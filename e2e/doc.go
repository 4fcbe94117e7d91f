// Package e2e holds the end-to-end tests of the Langfuse export path. They
// run a real OpenTelemetry Collector (the nested module in e2e/otelcol)
// as the OTLP/HTTP endpoint in place of Langfuse, with the same path and
// basic authentication, and check what it received: every attribute of
// the wire contract, the headers, gzip, both export modes, and the
// messages a user sees when the keys are wrong or the server cannot be
// reached.
//
// The collector is built on first use with scripts/build-otelcol.sh (about
// a minute on a cold cache, instant afterwards). When it cannot be built
// the tests are skipped, except with CI=true, where that is a failure.
// With -short they are skipped outside CI.
package e2e
