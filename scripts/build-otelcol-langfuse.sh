#!/usr/bin/env bash
# Builds the OpenTelemetry Collector of the at-scale recipe (nested module
# deploy/collector/otelcol) into bin/otelcol-langfuse and prints the
# binary's absolute path as the last line of stdout. All other output goes
# to stderr.
#
# The build is skipped when bin/otelcol-langfuse exists and
# bin/otelcol-langfuse.sha256 matches a sha256 over the module's go.mod,
# go.sum, *.go, this script and the Go toolchain version/platform. A cold
# build compiles the contrib components (OTTL among them): several minutes
# on two cores; it shares the core modules with e2e/otelcol.
#
# Needs only Go (modules come from GOPROXY) and coreutils.
# Set OTELCOL_FORCE_BUILD=1 to rebuild unconditionally.
set -euo pipefail

export LC_ALL=C

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd -- "${script_dir}/.." && pwd -P)"
cd -- "${root}"

mod_dir="deploy/collector/otelcol"
bin_dir="${root}/bin"
bin="${bin_dir}/otelcol-langfuse"
stamp="${bin}.sha256"

# The nested module must be built on its own, never through a go.work.
export GOWORK=off

shopt -s nullglob
files=("${mod_dir}/go.mod" "${mod_dir}/go.sum" "${mod_dir}"/*.go "scripts/build-otelcol-langfuse.sh")
shopt -u nullglob

hash="$(
	{
		sha256sum -- "${files[@]}"
		go env GOVERSION GOOS GOARCH
	} | sha256sum | cut -d' ' -f1
)"

if [[ "${OTELCOL_FORCE_BUILD:-}" != "1" && -x "${bin}" && -f "${stamp}" ]] &&
	[[ "$(cat -- "${stamp}")" == "${hash}" ]]; then
	echo "otelcol-langfuse is up to date" >&2
	echo "${bin}"
	exit 0
fi

mkdir -p -- "${bin_dir}"
tmp="${bin}.tmp.$$"
trap 'rm -f -- "${tmp}" "${stamp}.tmp.$$"' EXIT

echo "building otelcol-langfuse (several minutes on a cold cache)..." >&2
start=${SECONDS}
(
	cd -- "${mod_dir}"
	CGO_ENABLED=0 go build -mod=readonly -trimpath -buildvcs=false \
		-ldflags='-s -w' -o "${tmp}" .
)
# Rename atomically so concurrent callers never see a partial binary.
mv -f -- "${tmp}" "${bin}"
printf '%s\n' "${hash}" >"${stamp}.tmp.$$"
mv -f -- "${stamp}.tmp.$$" "${stamp}"
echo "built otelcol-langfuse in $((SECONDS - start))s" >&2

echo "${bin}"
