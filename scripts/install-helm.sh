#!/usr/bin/env bash
# Builds helm v3 from the Go module proxy into .stack/bin (no prebuilt binary can be downloaded here).
# Skips when .stack/bin/helm already reports the pinned version. The Go module and build caches stay in
# their usual per-user places, so a fresh clone on the same machine rebuilds in seconds (link only).
# Usage: bash scripts/install-helm.sh   → prints the path of the helm binary on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

# HELM_VERSION is the newest v3 release on the proxy when this was written (`go list -m -versions helm.sh/helm/v3`).
HELM_VERSION=${HELM_VERSION:-v3.22.0}
bin_dir=$PWD/.stack/bin
helm=$bin_dir/helm

if [[ -x $helm ]] && "$helm" version --template '{{.Version}}' 2>/dev/null | grep -qx "$HELM_VERSION"; then
  echo "$helm"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  [[ -x /usr/local/go/bin/go ]] && export PATH=/usr/local/go/bin:$PATH
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-helm: Go is required (apt-get install golang-go, or a Go toolchain in /usr/local/go)" >&2
  exit 1
fi

mkdir -p "$bin_dir"
echo "install-helm: building helm $HELM_VERSION with $(go version | cut -d' ' -f3) (cold: several minutes)" >&2
start=$SECONDS
# The ldflags are those of helm's own Makefile: its version, and the default Kubernetes version (`helm template`
# without --kube-version) taken from the client-go it is built with (v0.N → 1.N); without them it assumes 1.20.
gomod=$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
client_go=$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$gomod")
[[ $client_go =~ ^v0\.([0-9]+)\. ]] || { echo "install-helm: cannot read the client-go version from $gomod" >&2; exit 1; }
k8s_minor=${BASH_REMATCH[1]}
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
done
GOBIN=$bin_dir CGO_ENABLED=0 go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
echo "install-helm: built in $((SECONDS - start))s" >&2
"$helm" version --template '{{.Version}}' | grep -qx "$HELM_VERSION" || {
  echo "install-helm: built binary does not report $HELM_VERSION" >&2
  exit 1
}
echo "$helm"
