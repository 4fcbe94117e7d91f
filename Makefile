GO ?= go

.PHONY: test vet fmt-check unit race

# test is what CI runs: formatting, vet, the allocation checks that need a
# build without the race detector, then every test under -race.
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
