package langfuse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/observe-go/langfuse/config"
	"github.com/observe-go/langfuse/internal/console"
	"github.com/observe-go/langfuse/internal/core"
	"github.com/observe-go/langfuse/internal/global"
	"github.com/observe-go/langfuse/internal/prompts"
	"github.com/observe-go/langfuse/internal/scores"
	"github.com/observe-go/langfuse/semconv"
	"github.com/observe-go/langfuse/tracing"
)

// Version is the version of this SDK, sent to Langfuse with every export.
const Version = "0.1.0"

// Client owns the OpenTelemetry provider that observations are recorded
// with and the export to Langfuse. The last client made by New is the
// default that observe.Start and the wrappers use, unless New was given
// AsDefault(false); Client.Context binds a context to a client of its
// own. A Client is safe for concurrent use.
type Client struct {
	cfg    config.Config
	tp     trace.TracerProvider     // nil when tracing is disabled
	owned  *sdktrace.TracerProvider // the provider New built, nil when the user brought one
	proc   *tracing.ExportProcessor // nil when the user brought the provider
	state  *global.State            // the client's state; its Tracer is nil when tracing is disabled
	scoreQ *scores.Queue            // the score queue when scores go to Langfuse, else nil
	logger *slog.Logger

	// pub calls Langfuse's public API (prompts, datasets), tracing on or
	// off; nil without keys or with a bad destination, which pubErr
	// says.
	pub     *apiClient
	pubErr  error
	prompts *prompts.Cache // nil when pub is

	shutdownOnce sync.Once
	shutdownErr  error
}

// Option configures New.
type Option interface {
	apply(*settings)
}

type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

type settings struct {
	cfg       *config.Config
	exporter  sdktrace.SpanExporter
	logger    *slog.Logger
	console   io.Writer
	filter    tracing.Filter
	mask      func(any) any
	textMask  func(string) string
	redact    []string
	keep      []string
	provider  trace.TracerProvider
	noDefault bool
	http      *http.Client // of WithHTTPClient
}

// WithConfig replaces the configuration read from the environment with c.
// Fields left at their zero value are not filled from the environment:
// start from config.Default() or config.FromEnv() and change what you need.
func WithConfig(c config.Config) Option {
	return optionFunc(func(s *settings) { s.cfg = &c })
}

// WithSpanExporter makes e the only exporter: nothing goes to Langfuse or
// to the console. Use it for tests (see package langfusetest) and to send
// observations to another OpenTelemetry backend.
func WithSpanExporter(e sdktrace.SpanExporter) Option {
	return optionFunc(func(s *settings) { s.exporter = e })
}

// WithLogger sets the logger for the client's warnings (bad input,
// export failures). The default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(s *settings) { s.logger = l })
}

// WithConsoleWriter sets where the client prints traces when it has no
// Langfuse keys and no exporter; the default is os.Stderr.
func WithConsoleWriter(w io.Writer) Option {
	return optionFunc(func(s *settings) { s.console = w })
}

// WithExportFilter sets which spans are exported; the default,
// tracing.DefaultFilter, keeps observations, spans with gen_ai.*
// attributes and spans of known LLM libraries, as the official SDKs do.
// Pass tracing.ExportAll to export HTTP, database and every other span of
// the client's provider too.
func WithExportFilter(f tracing.Filter) Option {
	return optionFunc(func(s *settings) { s.filter = f })
}

// WithMask sets a function applied to every input, output and metadata
// value, and to error and status messages, before it is encoded, to
// redact what must not leave the process. Propagated trace attributes
// (user and session ids, tags) are not masked.
// If mask panics, the value is replaced with a fixed placeholder
// (capture.MaskFailed), never sent as it was.
func WithMask(mask func(any) any) Option {
	return optionFunc(func(s *settings) { s.mask = mask })
}

// WithTextMask sets a function applied to the text of every captured
// value after it is encoded (input, output, metadata values, model
// parameters, usage and cost, trace input and output, handler input), and
// to error, status and panic messages, so what it removes cannot leave the
// process whatever Go type it came from: a struct, a []any of arguments
// or a type of another package. It runs after the mask of WithMask, if
// any. Metadata values are then all recorded as text. The result is cut
// to LANGFUSE_CAPTURE_MAX_BYTES again; a card number cut in two by that
// limit is no longer one the mask can see. If mask panics, the text is
// replaced with capture.MaskFailed, never sent as it was. mask must be
// safe for concurrent use.
func WithTextMask(mask func(text string) string) Option {
	return optionFunc(func(s *settings) { s.textMask = mask })
}

// WithRedactedNames adds names to those whose captured values are
// recorded as [REDACTED]: struct fields, map keys and observe.ArgNames
// whose name, normalised (lower case, without '-', '_', '.' and spaces),
// is one of names. The default list, of names that hold credentials, is
// in the README and the capture package doc.
func WithRedactedNames(names ...string) Option {
	return optionFunc(func(s *settings) { s.redact = append(s.redact, names...) })
}

// WithKeptNames takes names off the list of WithRedactedNames and the
// default one: their values are recorded as they are, unless a struct
// field is tagged langfuse:"redact".
func WithKeptNames(names ...string) Option {
	return optionFunc(func(s *settings) { s.keep = append(s.keep, names...) })
}

// WithTracerProvider makes observations use tp, a provider the program
// built and owns, instead of one New builds. Add Langfuse to it with
// tracing.NewSpanProcessor and tracing.NewExportProcessor; Flush flushes
// tp when it can, and Shutdown leaves it to its owner.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(s *settings) { s.provider = tp })
}

// AsDefault(false) keeps New from making the client the default: it is
// then reached only through contexts bound to it with Client.Context, and
// the default client, if any, stays as it is. Use it for a second client
// in one process (another Langfuse project) and for tests that run in
// parallel (see langfusetest.New).
func AsDefault(on bool) Option {
	return optionFunc(func(s *settings) { s.noDefault = !on })
}

// New reads the configuration from the environment (see package config),
// applies opts, builds the OpenTelemetry provider and makes the client the
// default for observe.Start and the wrappers. It never changes the global
// OpenTelemetry TracerProvider.
//
// Observations go to the exporter of WithSpanExporter when given, to
// Langfuse when both keys are set, and to stderr as a tree when neither
// is, which New says once. With LANGFUSE_TRACING_ENABLED=false nothing is
// recorded and wrappers call straight through; prompts and datasets still
// load, through the client and as the default (GetPrompt, GetDataset).
//
// Only one of LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY set is a
// mistake, not a request for the console: New reports the missing key
// and, unless WithSpanExporter or WithTracerProvider says where spans go,
// the client records nothing.
//
// Observability settings must not take a service down, so a malformed
// environment variable does not cost the client: New returns a working
// client, with the default in place of each bad setting and every valid
// one applied, together with an error that names every bad variable
// (errors.Is config.ErrInvalid). A bad destination fails closed instead
// (errors.Is config.ErrDestination): a malformed LANGFUSE_BASE_URL or
// LANGFUSE_HOST is never replaced by Langfuse Cloud, so with keys set the
// client records nothing unless WithSpanExporter or WithTracerProvider
// says where spans go (and sends no scores), and without keys it prints to
// the console as it would anyway; a LANGFUSE_TRACING_ENABLED that is not a
// boolean turns tracing off. A LANGFUSE_OBSERVE_DECORATOR_IO_CAPTURE_ENABLED
// that is not a boolean fails closed too: the client records, but
// captures no input or output of wrapped calls. Log the error and go on:
//
//	lf, err := langfuse.New()
//	if err != nil {
//		log.Printf("langfuse: %v", err) // lf works, with defaults for what is named
//	}
//	defer lf.Shutdown(context.Background())
//
// New returns a nil client only when it cannot build one: when the Config
// of WithConfig fails config.Config.Validate (the program's own value,
// used as given or not at all; the environment is not read then), or when
// the OTLP exporter cannot be created. Call Shutdown before the program
// exits so that every span is sent.
func New(opts ...Option) (*Client, error) {
	var s settings
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	var cfg config.Config
	// envErr names the bad variables of the environment; the Config
	// holds the defaults in their place, so the client is built anyway
	// and returned with it.
	var envErr error
	// badDest: the environment named a destination that is not one; its
	// default must not stand in for it (config.ErrDestination).
	badDest := false
	if s.cfg != nil {
		cfg = *s.cfg
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("langfuse: %w", err)
		}
	} else {
		cfg, envErr = config.FromEnv()
		if envErr != nil {
			badDest = errors.Is(envErr, config.ErrDestination)
			envErr = fmt.Errorf("langfuse: %w", envErr)
		}
		// A lone key means the keys are wrong, not absent: printing
		// every trace's input and output to stderr is not what was
		// asked, and neither is sending without a key. Keys with a bad
		// base URL were meant for a server that is not named: sending
		// to the default one would hand the traces and the keys to a
		// third party. Record nothing unless the program said where
		// spans go. Without keys the base URL is not used, and the
		// console stays.
		if (cfg.KeysPartial() || (badDest && cfg.HasKeys())) && s.exporter == nil && s.provider == nil {
			cfg.TracingEnabled = false
		}
	}
	logger := s.logger
	switch {
	case logger != nil:
	case cfg.Debug:
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	default:
		logger = slog.Default()
	}
	c := &Client{cfg: cfg, logger: logger, state: &global.State{
		CaptureIO: cfg.IOCaptureEnabled,
		MaxBytes:  cfg.CaptureMaxBytes,
		Mask:      s.mask,
		TextMask:  s.textMask,
		Logger:    logger,
		Name:      clientName(cfg, &s),

		RedactNames: s.redact, KeepNames: s.keep,
	}}
	c.state.Owner = c
	// Prompts and datasets load with tracing off too; a destination
	// that failed closed names no server, so none is asked.
	c.pub, c.pubErr = newAPIClient(cfg, s.http)
	if c.pub != nil {
		c.prompts = c.newPromptCache()
	}
	if !cfg.TracingEnabled {
		if !s.noDefault {
			// The default all the same, for GetPrompt and GetDataset;
			// with no tracer, observations started through it record
			// nothing.
			global.Store(c.state)
		}
		return c, envErr
	}
	if s.provider != nil {
		if !badDest { // else scores have no destination
			c.state.Scores, c.scoreQ = scoreSink(cfg, nil, nil, logger, s.http)
		}
		c.tp = s.provider
		c.publish(sdkTracer(s.provider), s.noDefault)
		return c, envErr
	}

	exp := s.exporter
	procCfg := cfg
	if exp != nil {
		c.state.Scores, c.scoreQ = scoreSink(cfg, exp, nil, logger, s.http)
	} else {
		if cfg.HasKeys() {
			e, err := tracing.NewExporter(context.Background(), cfg, tracing.WithHTTPClient(s.http))
			if err != nil {
				return nil, fmt.Errorf("langfuse: %w", err)
			}
			exp = e
			c.state.Scores, c.scoreQ = scoreSink(cfg, nil, nil, logger, s.http)
		} else {
			w := s.console
			if w == nil {
				w = os.Stderr
			}
			logger.Info("langfuse: " + config.EnvPublicKey + " and " + config.EnvSecretKey +
				" are not set; printing traces to the console instead of sending them")
			// Each trace is printed when its root ends, on the goroutine
			// that ends it, not at the next batch; once a second client
			// is in use, each trace says which client printed it.
			cons := &console.Exporter{W: w, Label: func() string {
				if global.SecondClient() {
					return c.state.Name
				}
				return ""
			}}
			exp = cons
			procCfg.ExportMode = config.ExportImmediate
			// Scores print under their trace's tree, through the same
			// exporter.
			c.state.Scores, c.scoreQ = scoreSink(cfg, nil, cons, logger, s.http)
		}
	}
	c.proc = tracing.NewExportProcessor(procCfg, exp, tracing.WithLogger(logger), tracing.WithFilter(s.filter))
	c.owned = tracing.NewTracerProvider(cfg, c.proc)
	c.tp = c.owned
	c.publish(sdkTracer(c.tp), s.noDefault)
	logger.Debug("langfuse: client ready", "endpoint", cfg.TracesEndpoint(), "keys", cfg.HasKeys(),
		"export_mode", string(cfg.ExportMode), "sample_rate", cfg.SampleRate)
	return c, envErr
}

// sdkTracer returns the tracer of tp that observations are made with:
// scope "langfuse-sdk", which Langfuse recognises as its own.
func sdkTracer(tp trace.TracerProvider) trace.Tracer {
	return tp.Tracer(semconv.ScopeName, trace.WithInstrumentationVersion(semconv.SDKVersion))
}

// publish completes the client's state with its tracer and, unless
// noDefault, makes the client the default, saying so when it takes the
// role from another client that still records.
func (c *Client) publish(tr trace.Tracer, noDefault bool) {
	c.state.Tracer = tr
	if noDefault {
		return
	}
	if old := global.Store(c.state); old.Live() {
		c.logger.Info("langfuse: a new client (" + c.state.Name + ") is now the default; the previous one (" + old.Name +
			") records only under contexts bound to it with Client.Context, and is the default again if this one shuts down first" +
			" (pass langfuse.AsDefault(false) to keep the default as it is)")
	}
}

// clientCount numbers the clients without keys, so that their log lines
// and console trees can tell them apart.
var clientCount atomic.Uint64

// clientName says which client cfg makes in log lines: its public key,
// never a secret, or else its number among the clients without keys.
func clientName(cfg config.Config, s *settings) string {
	if cfg.PublicKey != "" {
		return "public key " + cfg.PublicKey
	}
	what := "no keys"
	switch {
	case s.exporter != nil:
		what = "its own exporter"
	case s.provider != nil:
		what = "its own TracerProvider"
	}
	return "client " + strconv.FormatUint(clientCount.Add(1), 10) + ", " + what
}

// Context returns a copy of ctx bound to c: observations started under it
// (wrappers, Run, observe.Start, ObserveHandler requests) are recorded by c
// instead of the default client, and so are their children. Two clients
// (two Langfuse projects, or one recorder per parallel test) can live in
// one process this way. A ctx bound to a client with tracing disabled, or
// shut down, records nothing. GetPrompt, GetDataset, CreateScore and the
// other calls through a ctx use c too, GetPrompt and GetDataset even with
// tracing disabled.
func (c *Client) Context(ctx context.Context) context.Context {
	if c == nil {
		if ctx == nil {
			return context.Background()
		}
		return ctx
	}
	return context.WithValue(core.WithClient(ctx, c.state), boundClientKey{}, c)
}

// Config returns the configuration the client runs with.
func (c *Client) Config() config.Config { return c.cfg }

// TracerProvider returns the client's OpenTelemetry TracerProvider, so
// other instrumentation (HTTP, database) can record into the same traces.
// With tracing disabled it is a no-op provider.
func (c *Client) TracerProvider() trace.TracerProvider {
	if c == nil || c.tp == nil {
		return noop.NewTracerProvider()
	}
	return c.tp
}

// Flush exports the spans that ended and sends the scores made before it
// is called, and returns when that is done or ctx ends: spans and scores
// that come while it runs wait for the next batch, so Flush returns even
// under a load the backend cannot keep up with. Spans and scores go at
// once, each under ctx, so a hanging scores endpoint cannot hold the spans
// back nor the other way round. It returns the errors of the exports it
// waited for, those of spans and of scores joined (errors.Join); a
// *tracing.ExportError tells what failed. Use it in short-lived programs
// and serverless handlers, at the end of each request.
func (c *Client) Flush(ctx context.Context) error {
	if c == nil {
		return nil
	}
	var spans func() error
	if f, ok := c.tp.(interface{ ForceFlush(context.Context) error }); ok {
		spans = func() error { return f.ForceFlush(ctx) }
	}
	var scores func() error
	if c.scoreQ != nil {
		scores = func() error { return c.scoreQ.Flush(ctx) }
	}
	if err := both(spans, scores); err != nil {
		return fmt.Errorf("langfuse: flush: %w", err)
	}
	return nil
}

// Shutdown exports every ended span and sends every queued score, then
// stops the client; it returns when that is done or ctx ends. Spans and
// scores go at once, each under ctx, as in Flush. If ctx ends first, or
// has ended already, what is left is given up and counted as dropped
// before Shutdown returns, so Stats is final then (the exporter of
// WithSpanExporter must honour the cancellation of its ctx, as
// sdktrace.SpanExporter requires). It returns the errors
// of the exports it waited for, spans' and scores' joined (errors.Join),
// and, when it gave some up, how many with ctx's error.
//
// Observations started and scores made afterwards are not recorded. A
// span that ends afterwards is not exported and counts as dropped: one
// that was started before, or one of other instrumentation that still
// uses TracerProvider. Only the first call does anything; later calls
// return its result.
func (c *Client) Shutdown(ctx context.Context) error {
	if c == nil {
		return nil
	}
	c.shutdownOnce.Do(func() {
		c.state.Stop()
		if c.prompts != nil {
			c.prompts.Close() // background refreshes are cancelled, not waited out
		}
		if c.pub != nil {
			c.pub.h.CloseIdleConnections()
		}
		if next := global.Retire(c.state); next != nil {
			c.logger.Info("langfuse: the default client (" + c.state.Name + ") shut down; the previous default (" +
				next.Name + ") records again")
		}
		// Directly, not through the provider: the SDK skips its
		// processors once ctx has ended, which would leave the queued
		// spans uncounted. The provider itself is left running so that
		// a span still open reaches the processor when it ends, to be
		// counted as dropped; the SDK would forget it.
		var spans func() error
		if c.proc != nil {
			spans = func() error { return c.proc.Shutdown(ctx) }
		}
		var scores func() error
		if c.scoreQ != nil {
			scores = func() error { return c.scoreQ.Shutdown(ctx) }
		}
		if err := both(spans, scores); err != nil {
			c.shutdownErr = fmt.Errorf("langfuse: shutdown: %w", err)
		}
	})
	return c.shutdownErr
}

// both runs spans and scores, either of which may be nil, at once and
// returns their errors joined, each named for what failed.
func both(spans, scores func() error) error {
	var scoreErr error
	var wg sync.WaitGroup
	if scores != nil {
		wg.Go(func() {
			if err := scores(); err != nil {
				scoreErr = fmt.Errorf("scores: %w", err)
			}
		})
	}
	var spanErr error
	if spans != nil {
		if err := spans(); err != nil {
			spanErr = fmt.Errorf("spans: %w", err)
		}
	}
	wg.Wait()
	return errors.Join(spanErr, scoreErr)
}
