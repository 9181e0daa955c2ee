#!/usr/bin/env bash
# vqsim benchmarks.
#   scripts/bench.sh            JMH suite (full) + end-to-end replay of a 1M-request trace; JSON in bench-results/
#   scripts/bench.sh --smoke    every JMH benchmark once, briefly (what CI runs)
#   scripts/bench.sh --e2e      only the end-to-end figures: 5M-request replay vs inspect, every strategy,
#                               and a 20M-request replay writing requests.arrow with JAVA_OPTS=-Xmx256m
#   scripts/bench.sh -- ARGS    JMH with your own arguments, e.g. -- SplitRing -prof gc
# JAVA_HOME chooses the JDK (17 or 25).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAVA="java"; [ -n "${JAVA_HOME:-}" ] && JAVA="$JAVA_HOME/bin/java"
FLAGS="--add-opens=java.base/java.nio=ALL-UNNAMED -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
mode=full
if [ "${1:-}" = "--smoke" ]; then mode=smoke; shift; fi
if [ "${1:-}" = "--e2e" ]; then mode=e2e; shift; fi
if [ "${1:-}" = "--" ]; then mode=custom; shift; fi

# each module keeps its benchmarks in src/jmh/java; JMH reads one META-INF/BenchmarkList per run, so run per module
MODULES=$(for m in engine capture analysis replay; do if [ -d "$m/src/jmh/java" ]; then echo "$m"; fi; done)
# one build of those modules (and what they use), each writing its test class path; the project's own modules
# resolve to this build's jars, so nothing is installed into the local Maven repository
mvn -q -B -ntp -DskipTests -pl "$(echo $MODULES | tr ' ' ,)" -am package dependency:build-classpath \
  -Dmdep.outputFile=target/jmh-classpath.txt -Dmdep.includeScope=test >/dev/null
classpath() { # module → its test class path
  echo "$ROOT/$1/target/test-classes:$ROOT/$1/target/classes:$(cat "$1/target/jmh-classpath.txt")"
}
mkdir -p bench-results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
jdk=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.version =/{print $2}')
jmh() { # mode-specific JMH arguments for every module
  for m in $MODULES; do
    echo "== JMH: $m"
    # shellcheck disable=SC2086
    "$JAVA" $FLAGS -cp "$(classpath "$m")" org.openjdk.jmh.Main "$@" -rf json -rff "bench-results/jmh-$m-jdk$jdk-$stamp.json"
  done
}

# End-to-end figures of the CLI (JVM start included), each printed as it is measured.
e2e() {
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  timed() { # label, command...: prints wall seconds and peak RSS
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null
    read -r secs kb < "$tmp/time"
    printf '%-58s %7.2f s  %6d MiB peak RSS\n' "$label" "$secs" $((kb / 1024))
    echo "$secs" > "$tmp/last"
  }
  echo "== end to end on $(nproc) cores, $("$JAVA" -version 2>&1 | head -1)"
  ./vqsim generate --rw randread --bs 4k --iodepth 32 --count 5000000 -o "$tmp/t5m.arrow" >/dev/null
  timed "inspect 5M-request canonical trace" ./vqsim inspect "$tmp/t5m.arrow"; insp=$(cat "$tmp/last")
  timed "replay 5M direct --summary-only" ./vqsim replay "$tmp/t5m.arrow" --strategy direct --summary-only -o "$tmp/d"; direct=$(cat "$tmp/last")
  timed "replay 5M viommu-strict+bounce --summary-only" ./vqsim replay "$tmp/t5m.arrow" --strategy viommu-strict+bounce --summary-only -o "$tmp/h"; heavy=$(cat "$tmp/last")
  awk -v i="$insp" -v d="$direct" -v h="$heavy" 'BEGIN{printf "  direct / inspect = %.2fx (target <= 3), heaviest / direct = %.2fx (target <= 4)\n", d/i, h/d}'
  timed "replay 5M --strategy all --summary-only (every x86 strategy, parallel)" ./vqsim replay "$tmp/t5m.arrow" --strategy all --summary-only -o "$tmp/all"
  rm -f "$tmp/t5m.arrow"
  ./vqsim generate --rw randread --bs 4k --iodepth 32 --count 20000000 -o "$tmp/t20m.arrow" >/dev/null
  export JAVA_OPTS="-Xmx256m"
  timed "replay 20M direct writing requests.arrow, -Xmx256m" ./vqsim replay "$tmp/t20m.arrow" --strategy direct -o "$tmp/big"
  timed "show requests.arrow --limit 10, -Xmx256m" ./vqsim show "$tmp/big/requests.arrow" --limit 10
  timed "report of the 20M run, -Xmx256m" ./vqsim report "$tmp/big"
  unset JAVA_OPTS
  ls -l "$tmp/big/requests.arrow" | awk '{printf "  requests.arrow: %.0f MiB\n", $5/1048576}'
}

case $mode in
  smoke) jmh -f 1 -wi 1 -i 1 -w 200ms -r 200ms -foe true "$@" ;;
  custom) # shellcheck disable=SC2086
    for m in $MODULES; do "$JAVA" $FLAGS -cp "$(classpath "$m")" org.openjdk.jmh.Main "$@" || echo "(nothing matched in $m)"; done ;;
  full)
    jmh -f 1 -wi 3 -i 5 -w 2s -r 2s -foe true -prof gc
    e2e ;;
  e2e) e2e ;;
esac
