#!/usr/bin/env bash
# Creates, or reuses, the Python venv of vqsim's Python check and notebooks, and prints its folder.
#
#   scripts/python-venv.sh                       e.g. prints /root/.cache/vqsim/pyenv
#   . "$(scripts/python-venv.sh)/bin/activate"   then python, pip, jupyter's kernel: pyarrow, Polars, DuckDB, pandas
#
# The venv lives outside the repository, in $VQSIM_PYENV (default ${XDG_CACHE_HOME:-~/.cache}/vqsim/pyenv), and holds
# exactly the packages of scripts/python-requirements.txt (wheels only). It is rebuilt from scratch when that file or
# the interpreter changed, or when an earlier set-up did not finish. PYTHON picks the interpreter (default python3,
# 3.11 or newer). pip tries an unreachable index only once (PIP_RETRIES, default 0 here, pip's own default 5).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
req="$here/python-requirements.txt"
venv="${VQSIM_PYENV:-${XDG_CACHE_HOME:-$HOME/.cache}/vqsim/pyenv}"
py="${PYTHON:-python3}"
die() { echo "python-venv: $*" >&2; exit 1; }

command -v "$py" >/dev/null 2>&1 || die "no $py on the PATH: install Python 3.11 or newer, or set PYTHON"
"$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  die "$py is Python $("$py" -c 'import platform; print(platform.python_version())'); the pinned packages need 3.11 or newer (set PYTHON)"
"$py" -c 'import venv, ensurepip' 2>/dev/null || die "$py has no venv/ensurepip module (Debian: apt-get install python3-venv)"

# what the venv is made of: the requirements and the interpreter
stamp="$( (cat "$req"; "$py" -c 'import sys; print(sys.executable, sys.version)') | sha256sum | cut -d' ' -f1)"
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9   # one set-up at a time
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.vqsim-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$venv"
  exit 0
fi

echo "python-venv: creating $venv with the packages of scripts/python-requirements.txt (a minute or two, once)" >&2
start=$SECONDS
rm -rf "$venv"
"$py" -m venv "$venv"
if ! PIP_RETRIES="${PIP_RETRIES:-0}" "$venv/bin/python" -m pip install --disable-pip-version-check --no-input \
    --only-binary=:all: -r "$req" >"$venv/pip.log" 2>&1; then
  grep -v -e 'Retrying (Retry' -e 'is ignored: it is neither a file nor a directory' "$venv/pip.log" | tail -25 >&2
  die "pip could not install scripts/python-requirements.txt into $venv (log above; the whole log: $venv/pip.log)"
fi
"$venv/bin/python" -c 'import pyarrow, polars, duckdb, pandas, ipykernel' || die "the packages installed but do not import (see above)"
echo "$stamp" >"$venv/.vqsim-stamp"
echo "python-venv: ready in $((SECONDS - start)) s: $venv" >&2
echo "$venv"
