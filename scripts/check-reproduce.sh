#!/usr/bin/env bash
# The literature regression gate: runs every scenario of published/ through `vqsim reproduce` with the
# checked-in baseline (published/reproduced.baseline) and fails only when a figure that was reproduced
# is no longer; figures still off or not yet reproducible do not fail it. Then checks the report in a
# real headless Chromium. Takes about 10 s plus the browser.
# Usage: scripts/check-reproduce.sh [OUTDIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$(mktemp -d)/reproduce}"
mkdir -p "$(dirname "$out")"
start=$(date +%s)
set +e
"$root/vqsim" reproduce --baseline "$root/published/reproduced.baseline" --report -o "$out" --force > "$out.log" 2>&1
rc=$?
set -e
grep -E '^[0-9]+ scenarios|^Baseline|^REGRESSION|^Newly' "$out.log" || true
if [ "$rc" -ne 0 ]; then
  cat "$out.log" >&2
  echo "check-reproduce: FAILED (exit $rc)" >&2
  exit 1
fi
echo "check-reproduce: the suite ran in $(( $(date +%s) - start )) s"
"$root/scripts/check-report-chromium.sh" "$out/report.html" "$out-shots/reproduce.png"
