#!/usr/bin/env bash
# Builds ghz (gRPC load tool, github.com/bojand/ghz) from the Go module proxy into .stack/bin, with its
# GOPATH and caches under .stack/go (scripts/lib/go-install.sh). Skips when .stack/bin/ghz already has the version.
# Usage: bash scripts/install-ghz.sh   → prints the path of the ghz binary on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/go-install.sh
source scripts/lib/go-install.sh

# Pinned: on the proxy `@latest` resolves to v0.93.0 (2021), because the newer tags are not in its
# version list; v0.120.0 (2024-05) is the newest release and builds with current Go.
GHZ_VERSION=${GHZ_VERSION:-v0.120.0}
# The version ldflag makes `ghz --version` (which prints the bare version) truthful.
GO_LDFLAGS="-s -w -X main.version=${GHZ_VERSION#v}"
# shellcheck disable=SC2317 # called by go_install_pinned
reports_version() { "$1" --version 2>&1 | grep -qx "${GHZ_VERSION#v}"; }

go_install_pinned ghz "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION" reports_version
