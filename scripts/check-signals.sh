#!/usr/bin/env bash
# Outputs survive signals (issue 8): SIGTERM and SIGINT sent to ./vqsim (which execs the JVM, so
# its PID is the JVM's) in the middle of a long run leave no partial or temporary .arrow or .html,
# and the results already in the folder are neither overwritten nor removed. Also checks --force:
# without it existing results are refused (exit 73), with it a completed run replaces them.
#
#   scripts/check-signals.sh            (CI runs it; about a minute)
set -euo pipefail
set -m # job control: background jobs get their own process group and keep SIGINT (a non-interactive shell would ignore it for them)
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# A shell started with SIGINT ignored (e.g. `cmd &` from a non-interactive shell, or under nohup ... &)
# passes that on to every process it starts and cannot undo it: the JVM would then finish the run it
# was asked to interrupt. Say so instead of reporting a wrong exit code.
if [ -r /proc/$$/status ] && (( 0x$(awk '/^SigIgn:/{print $2}' /proc/$$/status) & 0x2 )); then
  echo "FAIL: this shell was started with SIGINT ignored (run in the background by a non-interactive shell?), so SIGINT cannot be checked; run it in the foreground" >&2
  exit 1
fi
VQSIM="$ROOT/vqsim"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$VQSIM" --version >/dev/null # builds the CLI first if needed, so the PIDs below are JVMs

echo "setup: a small replay whose results must survive, and a long trace"
"$VQSIM" generate --rw randread --count 2000 -o small.arrow >/dev/null
"$VQSIM" replay small.arrow --strategy direct,bounce --report -o out >/dev/null
(cd out && sha256sum ./* > ../before.sha)
"$VQSIM" generate --rw randrw --bs 4k:60,64k:30,1m:10 --iodepth 32 --count 3000000 -o big.arrow >/dev/null

leftovers() { find out -name '*.tmp-*' -o -name '.*tmp*' -o -name '.vqsim-staging-*' -o -name '.vqsim.lock' | sort; }

# interrupt SIGNAL COMMAND…: starts COMMAND in the background, waits until it has a temporary
# output in out/ (it is mid-write), sends SIGNAL, and checks what is left
interrupt() {
  local sig=$1; shift
  "$@" >"run.$sig.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do
    if [ -n "$(find out -name '.requests-part-*' -o -name '.requests.arrow.tmp-*')" ]; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "FAIL: the run ended before it could be interrupted"; cat "run.$sig.log"; exit 1; fi
    sleep 0.1
  done
  [ -n "$(leftovers)" ] || { echo "FAIL: no temporary output appeared within 60 s"; kill -KILL "$pid"; exit 1; }
  sleep 1 # well inside the run
  kill "-$sig" "$pid"
  local rc=0
  wait "$pid" || rc=$?
  echo "SIG$sig: exit $rc"
  [ "$rc" -ne 0 ] || { echo "FAIL: an interrupted run exited 0"; exit 1; }
  if [ -n "$(leftovers)" ]; then echo "FAIL: temporary files left after SIG$sig:"; leftovers; exit 1; fi
  (cd out && sha256sum -c --quiet ../before.sha) || { echo "FAIL: existing results changed after SIG$sig"; exit 1; }
  [ "$(ls out | sort | tr '\n' ' ')" = "latency.arrow locks.arrow report.html requests.arrow summary.arrow " ] || { echo "FAIL: out/ holds $(ls out)"; exit 1; }
}

echo "replay --force interrupted by SIGTERM, then by SIGINT"
interrupt TERM "$VQSIM" replay big.arrow --strategy all --force --report -o out
interrupt INT "$VQSIM" replay big.arrow --strategy all --force --report -o out

echo "generate --force over an existing trace, interrupted"
cp small.arrow keep.arrow
"$VQSIM" generate --count 40000000 --force -o small.arrow >gen.log 2>&1 &
pid=$!
for _ in $(seq 1 600); do [ -n "$(find . -maxdepth 1 -name '.small.arrow.tmp-*' -size +1k)" ] && break; sleep 0.1; done
[ -n "$(find . -maxdepth 1 -name '.small.arrow.tmp-*')" ] || { echo "FAIL: generate wrote no temporary file"; exit 1; }
kill -TERM "$pid"; wait "$pid" || true
[ -z "$(find . -maxdepth 1 -name '*.tmp-*' -o -maxdepth 1 -name '*.vqsim.lock')" ] || { echo "FAIL: generate left a temporary or lock file"; ls -a; exit 1; }
cmp -s small.arrow keep.arrow || { echo "FAIL: the interrupted generate replaced the existing trace"; exit 1; }

echo "--force semantics"
rc=0; "$VQSIM" replay small.arrow -o out >/dev/null 2>force.log || rc=$?
[ "$rc" -eq 73 ] && grep -q -- "--force" force.log || { echo "FAIL: without --force: exit $rc"; cat force.log; exit 1; }
(cd out && sha256sum -c --quiet ../before.sha)
"$VQSIM" replay small.arrow --strategy direct --force -o out >/dev/null
[ "$("$VQSIM" show out/summary.arrow --csv | tail -n +2 | wc -l)" -eq 1 ] || { echo "FAIL: --force did not replace the results"; exit 1; }
echo "signals: no partial or temporary output, existing results kept"
