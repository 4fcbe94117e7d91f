#!/usr/bin/env bash
# Regenerates the sources of the at-scale Collector in
# deploy/collector/otelcol from its builder-config.yaml with the
# OpenTelemetry Collector Builder (ocb). Only needed when the component
# list or versions change; the generated files are committed and
# scripts/build-otelcol-langfuse.sh builds them with plain `go build`.
#
# To upgrade: bump all versions in builder-config.yaml together (and in
# e2e/otelcol, so that both builds share their modules), set OCB_VERSION
# below (or in the environment) to the same v0.x version, check with
# `go list -m -versions MODULE` that the module proxy serves every one,
# run this script, review and commit the changes.
#
# Needs only Go; ocb is run with `go run`, nothing is installed.
set -euo pipefail

OCB_VERSION="${OCB_VERSION:-v0.155.0}"

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
cd -- "${script_dir}/../deploy/collector/otelcol"
export GOWORK=off

go run "go.opentelemetry.io/collector/cmd/builder@${OCB_VERSION}" \
	--config=builder-config.yaml --skip-compilation
go mod tidy -e
gofmt -w ./*.go
CGO_ENABLED=0 go build -mod=readonly -trimpath -buildvcs=false -o /dev/null .
echo "regenerated $(pwd -P)" >&2
