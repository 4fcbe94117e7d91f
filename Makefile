GO ?= go
FUZZTIME ?= 60s
BENCHCOUNT ?= 6
BENCHTIME ?= 300ms

.PHONY: test vet fmt-check unit race bench fuzz

# test is what CI runs: formatting, vet, the allocation checks that need a
# build without the race detector, then every test under -race (the
# end-to-end tests build and start a real OpenTelemetry Collector).
test: fmt-check vet unit race

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -count=1 -run 'Alloc' ./...

race:
	$(GO) test -race -count=1 ./...

# bench runs every benchmark beside its baseline BENCHCOUNT times and
# prints the medians as ratios against the performance targets.
bench:
	@mkdir -p bin
	$(GO) test -run '^$$' -bench 'Wrap' -benchtime $(BENCHTIME) -count $(BENCHCOUNT) . | tee bin/bench.txt
	$(GO) test -run '^$$' -bench 'Capture' -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./capture | tee -a bin/bench.txt
	$(GO) test -run '^$$' -bench 'ExportThroughput' -benchtime 200000x -count $(BENCHCOUNT) ./tracing | tee -a bin/bench.txt
	@$(GO) run ./internal/benchtable < bin/bench.txt

# fuzz runs each fuzz target for FUZZTIME.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzString$$' -fuzztime $(FUZZTIME) ./capture
	$(GO) test -run '^$$' -fuzz '^FuzzFromLookup$$' -fuzztime $(FUZZTIME) ./config
