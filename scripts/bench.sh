#!/usr/bin/env bash
# vqsim benchmarks.
#   scripts/bench.sh            JMH suite (full) + end-to-end replay of a 1M-request trace; JSON in bench-results/
#   scripts/bench.sh --smoke    every JMH benchmark once, briefly (what CI runs)
#   scripts/bench.sh -- ARGS    JMH with your own arguments, e.g. -- SplitRing -prof gc
# JAVA_HOME chooses the JDK (17 or 25).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAVA="java"; [ -n "${JAVA_HOME:-}" ] && JAVA="$JAVA_HOME/bin/java"
FLAGS="--add-opens=java.base/java.nio=ALL-UNNAMED -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
mode=full
if [ "${1:-}" = "--smoke" ]; then mode=smoke; shift; fi
if [ "${1:-}" = "--" ]; then mode=custom; shift; fi

mvn -q -B -ntp -DskipTests install -pl engine -am
(cd engine && mvn -q -B -ntp dependency:build-classpath -Dmdep.outputFile=target/jmh-classpath.txt -Dmdep.includeScope=test)
CP="$ROOT/engine/target/test-classes:$ROOT/engine/target/classes:$(cat engine/target/jmh-classpath.txt)"
mkdir -p bench-results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
jdk=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.version =/{print $2}')

case $mode in
  smoke)  # shellcheck disable=SC2086
    "$JAVA" $FLAGS -cp "$CP" org.openjdk.jmh.Main -f 1 -wi 1 -i 1 -w 300ms -r 300ms -foe true \
      -rf json -rff "bench-results/jmh-smoke-$stamp.json" "$@" ;;
  custom) # shellcheck disable=SC2086
    "$JAVA" $FLAGS -cp "$CP" org.openjdk.jmh.Main "$@" ;;
  full)
    # shellcheck disable=SC2086
    "$JAVA" $FLAGS -cp "$CP" org.openjdk.jmh.Main -f 1 -wi 3 -i 5 -w 2s -r 2s -foe true -prof gc \
      -rf json -rff "bench-results/jmh-jdk$jdk-$stamp.json"
    echo "== end to end: replay of a 1M-request synthetic trace (direct, 4 KiB random reads, iodepth 32)"
    tmp=$(mktemp -d)
    ./vqsim generate --rw randread --bs 4k --iodepth 32 --count 1000000 -o "$tmp/trace.arrow"
    for opt in "" "--summary-only"; do
      s=$(date +%s.%N)
      # shellcheck disable=SC2086
      ./vqsim replay "$tmp/trace.arrow" --strategy direct $opt -o "$tmp/out$opt" >/dev/null
      e=$(date +%s.%N)
      awk -v s="$s" -v e="$e" -v o="${opt:-with requests.arrow}" 'BEGIN{printf "replay 1M requests %s: %.2f s wall (JVM start included), %.0f requests/s\n", o, e-s, 1e6/(e-s)}'
    done
    rm -rf "$tmp" ;;
esac
