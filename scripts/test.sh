#!/usr/bin/env bash
# Runs every check and test suite, keeps going after a failure, and ends with one line
# "N passed, N failed" (static checks count as one test each).
set -uo pipefail
cd "$(dirname "$0")/.."

summary=$(mktemp)
export TEST_SUMMARY_FILE=$summary
reporter=test/support/counting-reporter.js
rc=0

check() { # check <name> <command...>: a static check counted as one test
  local name=$1; shift
  echo "== check: $name"
  if "$@"; then
    echo "{\"suite\":\"$name\",\"passes\":1,\"failures\":0,\"pending\":0}" >>"$summary"
  else
    echo "CHECK FAILED: $name" >&2
    echo "{\"suite\":\"$name\",\"passes\":0,\"failures\":1,\"pending\":0}" >>"$summary"
    rc=1
  fi
}

suite() { # suite <name> <mocha config>
  echo "== suite: $1"
  TEST_SUITE_NAME=$1 npx mocha --config "$2" --reporter "$reporter" || rc=1
  # a suite that crashed before its end event still counts as a failure
  grep -q "\"suite\":\"$1\"" "$summary" || echo "{\"suite\":\"$1\",\"passes\":0,\"failures\":1,\"pending\":0}" >>"$summary"
}

check proto-fresh bash scripts/gen-proto.sh --check
check typecheck npx tsc -p tsconfig.json --noEmit
# helm lint --strict + template of every value set and k8s/ freshness (the chart tests run in the unit suite)
check chart-static bash scripts/chart-check.sh --static
suite unit .mocharc.json
suite integration .mocharc.integration.json
# The stock core and workers again, against the local 3-master Redis Cluster.
STOCK_TEST_REDIS=cluster suite integration-cluster .mocharc.cluster.json
# Hostile input: ≥ 10 000 generated cases per public RPC (FUZZ_CASES, FUZZ_SEED to reproduce).
suite fuzz .mocharc.fuzz.json
# The sale page and the operator dashboard in Debian's chromium (apt-installed when missing; never downloaded).
check chromium bash scripts/install-chromium.sh
suite browser .mocharc.browser.json
# Fault injection, short form (every fault once, smaller sales) on an isolated stack (.stack/chaos, ports +1000).
CHAOS_SHORT=1 suite chaos-short .mocharc.chaos.json
for extra in "$@"; do check "$extra" make --no-print-directory "$extra"; done

node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").filter(Boolean).map(l => JSON.parse(l));
  const p = lines.reduce((a, l) => a + l.passes, 0), f = lines.reduce((a, l) => a + l.failures, 0), s = lines.reduce((a, l) => a + l.pending, 0);
  for (const l of lines) console.log(`  ${l.suite}: ${l.passes} passed, ${l.failures} failed${l.pending ? `, ${l.pending} pending` : ""}`);
  console.log(`${p} passed, ${f} failed` + (s ? `, ${s} skipped` : ""));
' "$summary"
rm -f "$summary"
exit $rc
