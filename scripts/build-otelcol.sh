#!/usr/bin/env bash
# Builds the e2e OpenTelemetry Collector (nested module e2e/otelcol) into
# bin/otelcol-e2e and prints the binary's absolute path as the last line
# of stdout. All other output goes to stderr.
#
# The build is skipped when bin/otelcol-e2e exists and bin/otelcol-e2e.sha256
# matches a sha256 over the module's go.mod, go.sum, *.go, this script and the
# Go toolchain version/platform.
#
# Needs only Go (modules come from GOPROXY) and coreutils.
# Set OTELCOL_FORCE_BUILD=1 to rebuild unconditionally.
set -euo pipefail

export LC_ALL=C

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd -- "${script_dir}/.." && pwd -P)"
cd -- "${root}"

mod_dir="e2e/otelcol"
bin_dir="${root}/bin"
bin="${bin_dir}/otelcol-e2e"
stamp="${bin}.sha256"

# The nested module must be built on its own, never through a go.work.
export GOWORK=off

shopt -s nullglob
files=("${mod_dir}/go.mod" "${mod_dir}/go.sum" "${mod_dir}"/*.go "scripts/build-otelcol.sh")
shopt -u nullglob

hash="$(
	{
		sha256sum -- "${files[@]}"
		go env GOVERSION GOOS GOARCH
	} | sha256sum | cut -d' ' -f1
)"

if [[ "${OTELCOL_FORCE_BUILD:-}" != "1" && -x "${bin}" && -f "${stamp}" ]] &&
	[[ "$(cat -- "${stamp}")" == "${hash}" ]]; then
	echo "otelcol-e2e is up to date" >&2
	echo "${bin}"
	exit 0
fi

mkdir -p -- "${bin_dir}"
tmp="${bin}.tmp.$$"
trap 'rm -f -- "${tmp}" "${stamp}.tmp.$$"' EXIT

echo "building otelcol-e2e (this takes a minute on a cold cache)..." >&2
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
echo "built otelcol-e2e in $((SECONDS - start))s" >&2

echo "${bin}"
