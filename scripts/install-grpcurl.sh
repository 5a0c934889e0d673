#!/usr/bin/env bash
# Builds grpcurl (github.com/fullstorydev/grpcurl, curl for gRPC via server reflection) from the Go module
# proxy into .stack/bin; there is no other way to get a binary here. GOPATH, module and build caches live
# under .stack/go, so nothing is written outside the repo's git-ignored .stack/. Skips when .stack/bin/grpcurl
# already has the version.
# Usage: bash scripts/install-grpcurl.sh   → prints the path of the grpcurl binary on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned: `go list -m -versions github.com/fullstorydev/grpcurl` lists v1.9.4 (needs Go >= 1.25) as the
# newest; pinning keeps the binary the same whatever `@latest` resolves to tomorrow.
GRPCURL_VERSION=${GRPCURL_VERSION:-v1.9.4}
bin_dir=$PWD/.stack/bin
grpcurl=$bin_dir/grpcurl

# `grpcurl -version` prints "grpcurl <version>" (the ldflag below sets it).
reports_version() { "$grpcurl" -version 2>&1 | grep -qx "grpcurl $GRPCURL_VERSION"; }

if [[ -x $grpcurl ]] && reports_version; then
  echo "$grpcurl"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  [[ -x /usr/local/go/bin/go ]] && export PATH=/usr/local/go/bin:$PATH
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-grpcurl: Go is required (apt-get install golang-go, or a Go toolchain in /usr/local/go)" >&2
  exit 1
fi

export GOPATH=$PWD/.stack/go
export GOMODCACHE=$GOPATH/pkg/mod
export GOCACHE=$GOPATH/cache
export GOFLAGS=-mod=mod
mkdir -p "$bin_dir"
echo "install-grpcurl: building grpcurl $GRPCURL_VERSION with $(go version | cut -d' ' -f3) (cold: a few minutes)" >&2
start=$SECONDS
# -p 1 keeps a shared 2-core box usable; the version ldflag makes `grpcurl -version` truthful.
if ! GOBIN=$bin_dir CGO_ENABLED=0 nice go install -p 1 -trimpath \
  -ldflags "-s -w -X main.version=$GRPCURL_VERSION" \
  "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION" >&2; then
  echo "install-grpcurl: 'go install github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION' failed" \
    "(is the Go module proxy ${GOPROXY:-$(go env GOPROXY)} reachable?)" >&2
  exit 1
fi
echo "install-grpcurl: built in $((SECONDS - start))s" >&2
reports_version || {
  echo "install-grpcurl: built binary does not report $GRPCURL_VERSION" >&2
  exit 1
}
echo "$grpcurl"
