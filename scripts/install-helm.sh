#!/usr/bin/env bash
# Builds helm v3 from the Go module proxy into .stack/bin (scripts/lib/go-install.sh). Skips when
# .stack/bin/helm already reports the pinned version. The Go module and build caches stay in their usual
# per-user places, so a fresh clone on the same machine rebuilds in seconds (link only).
# Usage: bash scripts/install-helm.sh   → prints the path of the helm binary on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/go-install.sh
source scripts/lib/go-install.sh

# HELM_VERSION is the newest v3 release on the proxy when this was written (`go list -m -versions helm.sh/helm/v3`).
HELM_VERSION=${HELM_VERSION:-v3.22.0}
# shellcheck disable=SC2317 # called by go_install_pinned
reports_version() { "$1" version --template '{{.Version}}' 2>/dev/null | grep -qx "$HELM_VERSION"; }

# The ldflags are those of helm's own Makefile: its version, and the default Kubernetes version (`helm template`
# without --kube-version) taken from the client-go it is built with (v0.N → 1.N); without them it assumes 1.20.
# shellcheck disable=SC2317 # called by go_install_pinned
helm_ldflags() {
  local gomod client_go k8s_minor pkg
  gomod=$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  client_go=$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$gomod")
  [[ $client_go =~ ^v0\.([0-9]+)\. ]] || { echo "install-helm: cannot read the client-go version from $gomod" >&2; exit 1; }
  k8s_minor=${BASH_REMATCH[1]}
  GO_LDFLAGS="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    GO_LDFLAGS+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
  done
}

go_install_pinned --user-caches --all-cores helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" reports_version helm_ldflags
