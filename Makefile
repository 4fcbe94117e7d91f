GO ?= go
FUZZTIME ?= 60s
BENCHCOUNT ?= 6
BENCHTIME ?= 300ms

# The linters are pinned and built through the Go module proxy on first use;
# go run keeps the binaries in the build cache, so later runs start at once.
# Both need Go 1.26 to build. staticcheck is the version golangci-lint
# bundles; it also runs on its own, with its own defaults and the
# //lint:ignore directives that golangci-lint does not read.
GOLANGCI_LINT_VERSION ?= v2.15.0
STATICCHECK_VERSION ?= v0.8.2
GOLANGCI_LINT = $(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
STATICCHECK = $(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

.PHONY: test lint vet fmt-check unit race collectors bench bench-gateway fuzz

# test is what CI runs: the linters (the package graph of STYLE.md among
# them), formatting, vet, the allocation checks that need a build without
# the race detector, then every test under -race (the end-to-end tests
# build and start real OpenTelemetry Collectors: e2e/otelcol, and the
# at-scale recipe's deploy/collector/otelcol, each cached in bin/ by a
# stamp, so only a cold machine pays for the builds).
test: lint fmt-check vet unit race

# LINT_RUN runs golangci-lint without the lock file it otherwise takes,
# shared by every run on the machine (an editor's, another checkout's),
# failing with "parallel golangci-lint is running" when another run holds
# it for 5s. Its cache, a fork of Go's build cache, is safe to share.
LINT_RUN = $(GOLANGCI_LINT) run --allow-parallel-runners

# lint runs golangci-lint (.golangci.yml) and staticcheck over this module
# and the integrations module, all even when one fails, so one run shows
# every finding; ./... leaves out the nested modules, so each is named
# (e2e/otelcol is generated code of another project and is not linted).
lint:
	@status=0; \
	$(LINT_RUN) ./... || status=1; \
	$(STATICCHECK) ./... || status=1; \
	(cd integrations && $(LINT_RUN) ./...) || status=1; \
	(cd integrations && $(STATICCHECK) ./...) || status=1; \
	(cd observevet && $(LINT_RUN) ./...) || status=1; \
	(cd observevet && $(STATICCHECK) ./...) || status=1; \
	exit $$status

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...
	cd integrations && $(GO) vet ./...
	cd observevet && $(GO) vet ./...

unit:
	$(GO) test -count=1 -run 'Alloc' ./...
	cd integrations && $(GO) test -count=1 -run 'Alloc' ./...

# collectors builds the OpenTelemetry Collectors the end-to-end tests run
# before the tests start, so that a cold build (minutes for the at-scale
# one) is not charged to the e2e package's test timeout; each is cached in
# bin/ by a stamp. A failure is left to the tests to report: skipped, or
# failed under CI=true.
collectors:
	-@bash scripts/build-otelcol.sh >/dev/null
	-@bash scripts/build-otelcol-langfuse.sh >/dev/null

race: collectors
	$(GO) test -race -count=1 ./...
	cd integrations && $(GO) test -race -count=1 ./...
	cd observevet && $(GO) test -race -count=1 ./...

# bench runs every benchmark beside its baseline BENCHCOUNT times and
# prints the medians as ratios against the performance targets.
bench:
	@mkdir -p bin
	$(GO) test -run '^$$' -bench 'Wrap' -benchtime $(BENCHTIME) -count $(BENCHCOUNT) . | tee bin/bench.txt
	$(GO) test -run '^$$' -bench 'Capture' -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./capture | tee -a bin/bench.txt
	$(GO) test -run '^$$' -bench 'GetPrompt' -benchtime $(BENCHTIME) -count $(BENCHCOUNT) . | tee -a bin/bench.txt
	$(GO) test -run '^$$' -bench 'PromptCacheHit' -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./internal/prompts | tee -a bin/bench.txt
	$(GO) test -run '^$$' -bench 'Compile' -benchtime $(BENCHTIME) -count $(BENCHCOUNT) ./prompt | tee -a bin/bench.txt
	$(GO) test -run '^$$' -bench 'ExportThroughput' -benchtime 200000x -count $(BENCHCOUNT) ./tracing | tee -a bin/bench.txt
	$(GO) test -run '^$$' -bench 'EncodeDeep' -benchtime 10x -count $(BENCHCOUNT) ./tracing | tee -a bin/bench.txt
	@# The size of a user's program, as a line of go test -bench output.
	$(GO) build -o bin/quickstart ./examples/quickstart
	@echo "BenchmarkBinarySize/quickstart 1 $$(wc -c < bin/quickstart) bytes" | tee -a bin/bench.txt
	@# One -count at a time, so that ours and raw alternate and a burst of
	@# other work on the machine falls on both alike.
	for i in $$(seq $(BENCHCOUNT)); do $(GO) test -run '^$$' -bench 'Pipeline' -benchtime 6x -count 1 . ; done | tee -a bin/bench.txt
	cd integrations && for p in openai anthropic genai ollama bedrock; do \
		$(GO) test -run '^$$' -bench '^BenchmarkStream$$' -benchtime 300x -count $(BENCHCOUNT) ./$$p | sed "s/^BenchmarkStream/BenchmarkStream_$$p/"; \
	done | tee -a ../bin/bench.txt
	cd integrations && for i in $$(seq $(BENCHCOUNT)); do $(GO) test -run '^$$' -bench '^BenchmarkToolCall$$' -benchtime 1000x -count 1 ./mcp; done | sed "s/^BenchmarkToolCall/BenchmarkToolCall_mcp/" | tee -a ../bin/bench.txt
	@$(GO) run ./internal/benchtable < bin/bench.txt

# bench-gateway measures one sampling gateway of deploy/collector
# (README, "At scale"): spans/s and CPU time per span, BENCHCOUNT runs.
bench-gateway:
	$(GO) test -run '^$$' -bench 'GatewayThroughput' -benchtime 400x -count $(BENCHCOUNT) ./e2e

# fuzz runs each fuzz target for FUZZTIME.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzString$$' -fuzztime $(FUZZTIME) ./capture
	$(GO) test -run '^$$' -fuzz '^FuzzRedactQuery$$' -fuzztime $(FUZZTIME) ./capture
	$(GO) test -run '^$$' -fuzz '^FuzzRequest$$' -fuzztime $(FUZZTIME) ./capture
	$(GO) test -run '^$$' -fuzz '^FuzzFromLookup$$' -fuzztime $(FUZZTIME) ./config
	@# New inputs are minimised in 200 runs, not for a minute: each run
	@# of this target exports through the stock exporter too.
	$(GO) test -run '^$$' -fuzz '^FuzzOTLPEncode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 200x ./tracing
	$(GO) test -run '^$$' -fuzz '^FuzzAnswer$$' -fuzztime $(FUZZTIME) ./tracing
	cd integrations && $(GO) test -run '^$$' -fuzz '^FuzzSSEReader$$' -fuzztime $(FUZZTIME) ./internal/llmhttp
	cd integrations && $(GO) test -run '^$$' -fuzz '^FuzzExtract$$' -fuzztime $(FUZZTIME) ./mcp
	cd integrations && $(GO) test -run '^$$' -fuzz '^FuzzRedact$$' -fuzztime $(FUZZTIME) ./mcp
	cd integrations && $(GO) test -run '^$$' -fuzz '^FuzzNDJSON$$' -fuzztime $(FUZZTIME) ./internal/llmhttp
	cd integrations && $(GO) test -run '^$$' -fuzz '^FuzzEachMember$$' -fuzztime $(FUZZTIME) ./internal/llmhttp
	cd integrations && $(GO) test -run '^$$' -fuzz '^FuzzAWSEventStream$$' -fuzztime $(FUZZTIME) ./internal/llmhttp
	cd integrations && $(GO) test -run '^$$' -fuzz '^FuzzStreamEvents$$' -fuzztime $(FUZZTIME) ./openai
	cd integrations && $(GO) test -run '^$$' -fuzz '^FuzzProvider$$' -fuzztime $(FUZZTIME) ./anthropic
	cd integrations && $(GO) test -run '^$$' -fuzz '^FuzzStream$$' -fuzztime $(FUZZTIME) ./genai
	cd integrations && $(GO) test -run '^$$' -fuzz '^FuzzProvider$$' -fuzztime $(FUZZTIME) ./ollama
	cd integrations && $(GO) test -run '^$$' -fuzz '^FuzzProvider$$' -fuzztime $(FUZZTIME) ./bedrock
