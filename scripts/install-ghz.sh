#!/usr/bin/env bash
# Builds ghz (gRPC load tool, github.com/bojand/ghz) from the Go module proxy into .stack/bin; there is
# no other way to get a binary here. GOPATH, module and build caches live under .stack/go, so nothing
# is written outside the repo's git-ignored .stack/. Skips when .stack/bin/ghz already has the version.
# Usage: bash scripts/install-ghz.sh   → prints the path of the ghz binary on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned: on the proxy `@latest` resolves to v0.93.0 (2021), because the newer tags are not in its
# version list; v0.120.0 (2024-05) is the newest release and builds with current Go.
GHZ_VERSION=${GHZ_VERSION:-v0.120.0}
bin_dir=$PWD/.stack/bin
ghz=$bin_dir/ghz

if [[ -x $ghz ]] && "$ghz" --version 2>&1 | grep -qx "${GHZ_VERSION#v}"; then
  echo "$ghz"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  [[ -x /usr/local/go/bin/go ]] && export PATH=/usr/local/go/bin:$PATH
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-ghz: Go is required (apt-get install golang-go, or a Go toolchain in /usr/local/go)" >&2
  exit 1
fi

export GOPATH=$PWD/.stack/go
export GOMODCACHE=$GOPATH/pkg/mod
export GOCACHE=$GOPATH/cache
export GOFLAGS=-mod=mod
mkdir -p "$bin_dir"
echo "install-ghz: building ghz $GHZ_VERSION with $(go version | cut -d' ' -f3) (cold: a few minutes)" >&2
start=$SECONDS
# -p 1 keeps a shared 2-core box usable; the version ldflag makes `ghz --version` truthful.
GOBIN=$bin_dir CGO_ENABLED=0 nice go install -p 1 -trimpath \
  -ldflags "-s -w -X main.version=${GHZ_VERSION#v}" \
  "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION" >&2
echo "install-ghz: built in $((SECONDS - start))s" >&2
"$ghz" --version 2>&1 | grep -qx "${GHZ_VERSION#v}" || {
  echo "install-ghz: built binary does not report ${GHZ_VERSION#v}" >&2
  exit 1
}
echo "$ghz"
