package tracing

import "log/slog"

// Option configures an ExportProcessor. Options are values that can be
// shared, and safe for concurrent use.
type Option interface {
	apply(*options)
}

type options struct {
	filter Filter
	logger *slog.Logger
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithFilter sets which spans are exported; the default is DefaultFilter.
// Pass ExportAll to export every span.
func WithFilter(f Filter) Option {
	return optionFunc(func(o *options) { o.filter = f })
}

// WithLogger sets the logger for export warnings; the default is
// slog.Default().
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) { o.logger = l })
}

func resolveOptions(opts []Option) options {
	o := options{filter: DefaultFilter}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	if o.filter == nil {
		o.filter = DefaultFilter
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	return o
}
