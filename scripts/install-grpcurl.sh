#!/usr/bin/env bash
# Builds grpcurl (github.com/fullstorydev/grpcurl, curl for gRPC via server reflection) from the Go module
# proxy into .stack/bin, with its GOPATH and caches under .stack/go (scripts/lib/go-install.sh). Skips when
# .stack/bin/grpcurl already has the version.
# Usage: bash scripts/install-grpcurl.sh   → prints the path of the grpcurl binary on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/go-install.sh
source scripts/lib/go-install.sh

# Pinned: `go list -m -versions github.com/fullstorydev/grpcurl` lists v1.9.4 (needs Go >= 1.25) as the
# newest; pinning keeps the binary the same whatever `@latest` resolves to tomorrow.
GRPCURL_VERSION=${GRPCURL_VERSION:-v1.9.4}
# `grpcurl -version` prints "grpcurl <version>"; the ldflag sets it.
GO_LDFLAGS="-s -w -X main.version=$GRPCURL_VERSION"
# shellcheck disable=SC2317 # called by go_install_pinned
reports_version() { "$1" -version 2>&1 | grep -qx "grpcurl $GRPCURL_VERSION"; }

go_install_pinned grpcurl "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION" reports_version
