#!/usr/bin/env bash
# Reads every kind of vqsim output with pyarrow, Polars and DuckDB, and runs the README's Python snippets.
#
#   scripts/check-python.sh                 produce small outputs in a temporary folder, check them, remove them
#   scripts/check-python.sh --keep DIR      produce them in DIR (new or empty) and keep them
#
# Sets up (once) the pinned venv of scripts/python-venv.sh, then runs scripts/python/check_outputs.py in it: the
# outputs of generate, replay (requests, summary, latency), fleet, sweep, validate and reproduce, read by each library against
# the column list of scripts/python/vqsim_schemas.py, with the facts that must hold; and every ```python block of the
# Markdown files, each marked <!-- python-check: NAME -->, executed verbatim in a folder laid out like the README's tour.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
case "${1:-}" in -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
venv="$("$root/scripts/python-venv.sh")"
"$root/vqsim" --version >/dev/null   # builds vqsim when needed, before the check's timings start
PYTHONDONTWRITEBYTECODE=1 exec "$venv/bin/python" "$root/scripts/python/check_outputs.py" "$root" "$@"
