#!/usr/bin/env bash
# Installs Debian's `chromium` for the browser tests (test/browser/) when it is missing, through the same
# apt helper the stack uses (root only; never downloads a browser build), then prints the executable's path.
# Usage: bash scripts/install-chromium.sh        → prints e.g. /usr/bin/chromium
# CHROMIUM_PATH=/path/to/chrome skips the install and only checks that path.
set -euo pipefail
# shellcheck source=stack/lib.sh
source "$(dirname "$0")/stack/lib.sh"

if [[ -n ${CHROMIUM_PATH:-} ]]; then
  [[ -x $CHROMIUM_PATH ]] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
  printf '%s\n' "$CHROMIUM_PATH"
  exit 0
fi

ensure_packages chromium
# Debian's /usr/bin/chromium is a wrapper script that sets flags and execs the real binary; Playwright can drive it.
for candidate in /usr/bin/chromium /usr/lib/chromium/chromium; do
  if [[ -x $candidate ]]; then
    printf '%s\n' "$candidate"
    exit 0
  fi
done
die "chromium is installed but no executable was found at /usr/bin/chromium or /usr/lib/chromium/chromium"
