#!/usr/bin/env bash
# Chart checks with a real helm (built by scripts/install-helm.sh): `helm lint --strict` and `helm template` for every
# value set (helm/boutique-seckill/ci/*-values.yaml and helm/examples/*-values.yaml) against Kubernetes 1.29,
# k8s/ freshness, then the chart tests (offline schema validation of every object, probes, security context,
# selectors, NetworkPolicies).
#   bash scripts/chart-check.sh           everything
#   bash scripts/chart-check.sh --static  lint, template and k8s/ only (the unit suite runs the chart tests)
set -euo pipefail
cd "$(dirname "$0")/.."

kube_version=1.29.0
chart=helm/boutique-seckill
helm=$(bash scripts/install-helm.sh | tail -n 1)
failed=0

for values in "$chart"/ci/*-values.yaml helm/examples/*-values.yaml; do
  echo "== $values"
  if ! "$helm" lint --strict --quiet --kube-version "$kube_version" "$chart" -f "$values"; then
    echo "LINT FAILED: $values" >&2
    failed=1
  fi
  if ! "$helm" template chart-check "$chart" --kube-version "$kube_version" -f "$values" >/dev/null; then
    echo "TEMPLATE FAILED: $values" >&2
    failed=1
  fi
done

bash scripts/render-k8s.sh --check || failed=1

if [[ ${1:-} != --static ]]; then
  npx mocha --no-config --require tsx --extension ts --forbid-only --timeout 60000 'test/unit/chart-*.test.ts' || failed=1
fi

if (( failed )); then
  echo "chart-check: FAILED" >&2
  exit 1
fi
echo "chart-check: OK"
