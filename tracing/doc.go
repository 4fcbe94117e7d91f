// Package tracing holds the OpenTelemetry parts of the SDK: the span
// processor that stamps Langfuse's trace-level attributes, the export
// processor that filters, batches and counts the spans sent, the OTLP
// exporter for Langfuse's endpoint, the console exporter used when no keys
// are set, and the TracerProvider that langfuse.New builds from them.
//
// Most programs never import it. It is for programs that build their own
// sdktrace.TracerProvider (to add other exporters or instrumentation) and
// want Langfuse in it too:
//
//	cfg, _ := config.FromEnv()
//	exp, _ := tracing.NewExporter(ctx, cfg)
//	tp := sdktrace.NewTracerProvider(
//		sdktrace.WithSpanProcessor(tracing.NewSpanProcessor(cfg)),
//		sdktrace.WithSpanProcessor(tracing.NewExportProcessor(cfg, exp)),
//	)
package tracing
