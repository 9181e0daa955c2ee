#!/usr/bin/env bash
# Reads a vqsim result folder with the independent JavaScript Arrow reader (npm apache-arrow).
# Usage: scripts/check-arrow-js.sh OUTDIR   (installs the pinned npm package on first use)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null; then
  echo "node not found: installing Debian's nodejs and npm" >&2
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -d "$here/arrow-js/node_modules/apache-arrow" ]; then
  (cd "$here/arrow-js" && npm install --no-audit --no-fund --loglevel=error)
fi
node "$here/arrow-js/check.mjs" "$1"
