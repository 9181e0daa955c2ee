#!/usr/bin/env bash
# Opens a vqsim HTML report in a real headless Chromium (Debian's package) and checks it the way a
# reader's browser sees it: no console errors, no network requests, no script, charts drawn, and a
# screenshot that is not blank. Installs chromium (apt) and the pinned npm client `ws` on first use.
# Usage: scripts/check-report-chromium.sh REPORT.html OUT.png [--segments]
#   --segments also writes OUT-01.png, OUT-02.png, … (1100×1400 slices) to look at.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ $# -lt 2 ]; then
  echo "usage: $0 REPORT.html OUT.png [--segments]" >&2
  exit 2
fi
if ! command -v chromium >/dev/null; then
  echo "chromium not found: installing Debian's chromium" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! command -v node >/dev/null; then
  echo "node not found: installing Debian's nodejs and npm" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -d "$here/report-check/node_modules/ws" ]; then
  (cd "$here/report-check" && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$(dirname "$2")"
CHROMIUM="$(command -v chromium)" node "$here/report-check/check.mjs" "$@"
