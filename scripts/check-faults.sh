#!/usr/bin/env bash
# The faults a real machine has, against ./vqsim as a user runs it (CI runs this; about two minutes):
#   1. two runs writing one output folder at once: one is refused (exit 73, naming the other's pid),
#      the folder ends up with the other's complete results, byte for byte a solo run's;
#   2. kill -9 in the middle of a run, then a rerun: earlier results intact, the rerun cleans up;
#   3. a full file system (a small tmpfs; needs root to mount, else this part says it is skipped):
#      a run that cannot fit is refused before writing (exit 73), one that fills the disk part-way
#      fails with exit 74 naming the file, and neither leaves anything or touches earlier results;
#   4. Ctrl-C pressed on a terminal (a pseudo-terminal, progress line showing): nothing left behind.
set -euo pipefail
set -m # background jobs get their own process group
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VQSIM="$ROOT/vqsim"
work=$(mktemp -d)
mnt="$work/small"
cleanup() {
  mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
# anything a run leaves besides its results: staging folders, lock files, temporary files
leftovers() { find "$1" -name '.vqsim-staging-*' -o -name '.vqsim.lock' -o -name '*.tmp-*' -o -name '*.tmp' 2>/dev/null | sort; }

"$VQSIM" --version >/dev/null # builds the CLI first if needed
"$VQSIM" generate --rw randrw --bs 4k:70,64k:30 --iodepth 32 --count 200000 -o big.arrow >/dev/null
"$VQSIM" generate --rw randread --iodepth 32 --count 150000 --seed 7 -o other.arrow >/dev/null

echo "1. two runs on one output folder"
"$VQSIM" replay big.arrow --strategy direct,bounce,viommu-strict -o solo >/dev/null
# the second starts while the first holds the folder
"$VQSIM" replay big.arrow --strategy direct,bounce,viommu-strict -o shared >a.log 2>&1 &
a=$!
for _ in $(seq 1 300); do [ -e shared/.vqsim.lock ] && break; sleep 0.05; done
[ -e shared/.vqsim.lock ] || fail "the first run took no lock"
rc=0; "$VQSIM" replay other.arrow --strategy direct -o shared >b.log 2>&1 || rc=$?
[ "$rc" -eq 73 ] || { cat b.log; fail "the second run exited $rc, not 73"; }
grep -q "is being written by another vqsim run (pid $a" b.log || { cat b.log; fail "the refusal does not name pid $a"; }
wait "$a" || { cat a.log; fail "the first run failed"; }
for f in summary.arrow latency.arrow requests.arrow; do cmp -s "solo/$f" "shared/$f" || fail "shared/$f differs from a solo run's"; done
[ -z "$(leftovers shared)" ] || fail "leftovers: $(leftovers shared)"
echo "   refused with exit 73 naming pid $a; the folder holds the first run's complete results"
# started together: exactly one wins, and the folder holds that one's results whole
"$VQSIM" replay big.arrow --strategy direct,bounce -o race >r1.log 2>&1 & p1=$!
"$VQSIM" replay other.arrow --strategy direct,bounce -o race >r2.log 2>&1 & p2=$!
rc1=0; wait "$p1" || rc1=$?
rc2=0; wait "$p2" || rc2=$?
if [ "$rc1" -eq 0 ] && [ "$rc2" -eq 73 ]; then winner=big.arrow; elif [ "$rc1" -eq 73 ] && [ "$rc2" -eq 0 ]; then winner=other.arrow; else
  cat r1.log r2.log; fail "started together: exits $rc1 and $rc2 (want one 0, one 73)"; fi
[ "$("$VQSIM" show race/summary.arrow --csv | tail -n +2 | cut -d, -f3 | sort -u)" = "$winner" ] || fail "race/summary.arrow is not all $winner's"
[ "$("$VQSIM" show race/requests.arrow --csv | tail -n +2 | wc -l)" -eq "$(( $([ $winner = big.arrow ] && echo 200000 || echo 150000) * 2 ))" ] \
  || fail "race/requests.arrow is not $winner's whole"
echo "   started together: $winner won (exit 0), the other exited 73"

echo "2. kill -9 mid-run, then a rerun"
"$VQSIM" replay other.arrow --strategy direct -o k >/dev/null
sha256sum k/* > k.sha
"$VQSIM" replay big.arrow --strategy all --force -o k >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 300); do [ -n "$(find k -name '.requests-part-*' -size +100k 2>/dev/null)" ] && break; sleep 0.05; done
kill -KILL "$pid"; wait "$pid" 2>/dev/null || true
sha256sum -c --quiet k.sha || fail "kill -9 changed earlier results"
echo "   left by kill -9: $(leftovers k | sed "s|$work/||" | tr '\n' ' ')"
"$VQSIM" replay other.arrow --strategy direct,bounce --force -o k >/dev/null
[ -z "$(leftovers k)" ] || fail "the rerun left $(leftovers k)"
[ "$(ls k | tr '\n' ' ')" = "latency.arrow locks.arrow requests.arrow summary.arrow " ] || fail "k holds $(ls k)"
echo "   the rerun removed them and wrote its results"

echo "3. a full file system"
mkdir -p "$mnt"
if mount -t tmpfs -o size=8m vqsim-full "$mnt" 2>/dev/null; then
  rc=0; "$VQSIM" replay big.arrow --strategy direct,bounce -o "$mnt/out" >/dev/null 2>full1.log || rc=$?
  [ "$rc" -eq 73 ] || { cat full1.log; fail "a run that cannot fit exited $rc, not 73"; }
  grep -q "requests.arrow (200,000 requests × 2 strategies) would take about .* MB, but its file system has only .* free; use --summary-only" full1.log \
    || { cat full1.log; fail "the refusal does not give the size, the free space and --summary-only"; }
  [ ! -e "$mnt/out" ] || fail "the refused run left $mnt/out"
  echo "   refused before writing: $(sed 's/^vqsim: //' full1.log)"
  # earlier results, then a disk that fills part-way through a run whose size is not known in advance (a text trace)
  "$VQSIM" replay "$ROOT/samples/qemu-lab/randread4k.direct.guest-ftrace.txt.gz" --strategy direct -o "$mnt/lab" >/dev/null
  sha256sum "$mnt"/lab/* > lab.sha
  avail=$(df --output=avail -B1 "$mnt" | tail -1)
  head -c $((avail - 150000)) /dev/zero > "$mnt/filler"
  rc=0; "$VQSIM" replay "$ROOT/samples/qemu-lab/randread4k.direct.guest-ftrace.txt.gz" --strategy all --force -o "$mnt/lab" >/dev/null 2>full2.log || rc=$?
  [ "$rc" -eq 74 ] || { cat full2.log; fail "a write that filled the disk exited $rc, not 74"; }
  grep -q "^vqsim: $mnt/lab/requests.arrow: cannot write: No space left on device" full2.log || { cat full2.log; fail "the error does not name requests.arrow"; }
  # the internal-error wording (Main.java), matched exactly: a case-blind "bug" also matched the temporary
  # folder's random name in the message (/tmp/tmp.mPbTbUG7ku failed CI once)
  ! grep -q "internal error: \|This is a bug in vqsim" full2.log || { cat full2.log; fail "a full disk was reported as a bug"; }
  sha256sum -c --quiet lab.sha || fail "the failed run changed earlier results"
  [ -z "$(leftovers "$mnt/lab")" ] || fail "the failed run left $(leftovers "$mnt/lab")"
  echo "   filled part-way: $(sed 's/^vqsim: //' full2.log)"
  rc=0; "$VQSIM" generate --count 100000 -o "$mnt/t.arrow" >/dev/null 2>full3.log || rc=$?
  [ "$rc" -eq 73 ] && grep -q "a trace of 100,000 requests would take about" full3.log || { cat full3.log; fail "generate on a full disk: exit $rc"; }
  [ -z "$(find "$mnt" -maxdepth 1 -name '.t.arrow*')" ] || fail "generate left $(ls -a "$mnt")"
  rm -f "$mnt/filler"
  umount "$mnt"
else
  echo "   SKIPPED: cannot mount a tmpfs here (needs root); OutputSafetyTest covers it with an injected write failure"
fi

echo "4. Ctrl-C on a terminal, with the progress line showing"
if command -v python3 >/dev/null; then
  rc=0; python3 "$ROOT/scripts/pty-run.py" --ctrl-c-when "rp/.vqsim-staging-*/.requests-part-*" --after 2 --log pty.log -- \
    "$VQSIM" replay big.arrow --strategy all -o rp || rc=$?
  [ "$rc" -ne 0 ] && [ "$rc" -ne 125 ] || { cat pty.log; fail "Ctrl-C: exit $rc"; }
  grep -q "requests (" pty.log || { cat pty.log; fail "no progress line was drawn on the terminal"; }
  [ ! -e rp ] || fail "Ctrl-C left rp/: $(ls -a rp)"
  echo "   exit $rc, the progress line was drawn, nothing left (rp/ removed: the run had created it)"
else
  fail "python3 is needed for the pseudo-terminal"
fi
echo "faults: nothing lost, nothing left behind"
