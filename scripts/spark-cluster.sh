#!/usr/bin/env bash
# A real Apache Spark standalone cluster on this machine, from the Spark libraries the build fetched
# (spark/target/lib, Maven only): a master and WORKERS workers, each its own JVM, on loopback.
#
#   scripts/spark-cluster.sh start [WORKERS]   start it (default 2 workers); the last line printed is the
#                                              master URL, spark://127.0.0.1:PORT
#   scripts/spark-cluster.sh status            the master URL and each process, running or not
#   scripts/spark-cluster.sh stop              stop every process it started (their executors too), by process id
#   scripts/spark-cluster.sh submit ARGS…      spark-submit ARGS… (org.apache.spark.deploy.SparkSubmit: the
#                                              bin/spark-submit script is not in Maven's artifacts)
#
# Everything lives under one folder, $VQSIM_SPARK_CLUSTER (default ${TMPDIR:-/tmp}/vqsim-spark-cluster):
# spark-home/ (what a Spark distribution's SPARK_HOME is: jars/ = spark/target/lib, conf/), logs/,
# work/ (the workers' work dirs: each executor's stdout, stderr and fetched files), local/ (the
# executors' scratch space, SPARK_LOCAL_DIRS), *.pid.
# Environment: WORKER_CORES (default: cores ÷ workers, at least 1), WORKER_MEMORY (default 2g),
# JAVA_HOME (the JDK of the master, the workers and so of the executors).
# Exit codes: 0 ok, 2 usage, 66 the Spark libraries cannot be built, 73 a cluster is already running
# there, 74 a process did not start (its log's end is printed).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
DIR="${VQSIM_SPARK_CLUSTER:-${TMPDIR:-/tmp}/vqsim-spark-cluster}"
LIB="$ROOT/spark/target/lib"
JAVA="java"
[ -n "${JAVA_HOME:-}" ] && JAVA="$JAVA_HOME/bin/java"
# shellcheck source=scripts/spark-jvm-options.sh
. "$ROOT/scripts/spark-jvm-options.sh"

die() { local code=$1; shift; echo "spark-cluster: $*" >&2; exit "$code"; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Spark's libraries: built (and fetched by Maven) on first use, as ./vqsim does for --engine spark.
need_lib() {
  [ -d "$LIB" ] && [ -n "$(ls "$LIB")" ] && return 0
  echo "spark-cluster: building the spark module (first use downloads Spark's libraries, a few minutes)..." >&2
  (cd "$ROOT" && mvn -q -B -ntp -DskipTests -Dmaven.javadoc.skip=true package -pl spark -am >"$ROOT/spark/target.build.log" 2>&1) \
    || { cat "$ROOT/spark/target.build.log" >&2; die 66 "the spark module's build failed (log above)"; }
  rm -f "$ROOT/spark/target.build.log"
}

# A pid file's process, if it is still one of this cluster's JVMs (a recycled pid is not ours).
alive() {
  local f=$1 pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-Dvqsim.cluster=$DIR " && echo "$pid"
}

pidfiles() { ls "$DIR"/worker-*.pid "$DIR"/master.pid 2>/dev/null || true; }

# waitlog FILE PATTERN WHAT PID: waits (60 s at most) until the log holds PATTERN
waitlog() {
  local log=$1 pattern=$2 what=$3 pid=$4
  for _ in $(seq 1 600); do
    grep -q -- "$pattern" "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 30 "$log" >&2 || true
  stop_all >/dev/null
  die 74 "the $what did not start (end of $log above)"
}

# launch NAME CLASS ARGS…: one JVM in a session of its own (its executors join its process group, so
# that stop reaches them even after the worker died), output to logs/NAME.log, pid to NAME.pid
launch() {
  local name=$1 cls=$2; shift 2
  spark_jvm_options "$JAVA"
  SPARK_HOME="$DIR/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 SPARK_CONF_DIR="$DIR/spark-home/conf" SPARK_LOCAL_DIRS="$DIR/local" \
    setsid "$JAVA" "${SPARK_JVM_OPTIONS[@]}" -Xmx512m "-Dvqsim.cluster=$DIR" \
    -cp "$DIR/spark-home/conf/:$DIR/spark-home/jars/*" "$cls" "$@" >"$DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/$name.pid"
}

start() {
  local workers=${1:-2}
  [[ "$workers" =~ ^[1-9][0-9]*$ ]] || die 2 "WORKERS must be a positive number, not '$workers'"
  for f in $(pidfiles); do
    [ -n "$(alive "$f")" ] && die 73 "a cluster is already running in $DIR (scripts/spark-cluster.sh status); stop it first"
  done
  need_lib
  local cores=${WORKER_CORES:-$(( $(nproc) / workers ))} memory=${WORKER_MEMORY:-2g}
  [ "$cores" -ge 1 ] || cores=1
  rm -rf "$DIR/spark-home" "$DIR/logs" "$DIR/work" "$DIR/local" "$DIR"/*.pid "$DIR/master.url"
  mkdir -p "$DIR/spark-home/conf" "$DIR/logs" "$DIR/work" "$DIR/local"
  # SPARK_HOME as a distribution lays it out: a worker starts each executor with -cp SPARK_HOME/jars/*
  # (RELEASE marks a distribution, SPARK_SCALA_VERSION names its Scala).
  ln -s "$LIB" "$DIR/spark-home/jars"
  echo "Spark (vqsim spark/target/lib)" >"$DIR/spark-home/RELEASE"

  launch master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 --webui-port 0
  local mpid url
  mpid=$(cat "$DIR/master.pid")
  waitlog "$DIR/logs/master.log" "I have been elected leader" master "$mpid"
  url=$(sed -n 's/.*Starting Spark master at \(spark:[^ ]*\).*/\1/p' "$DIR/logs/master.log" | tail -1)
  [ -n "$url" ] || die 74 "no master URL in $DIR/logs/master.log"
  echo "$url" >"$DIR/master.url"
  echo "master  pid $mpid  $url  (log $DIR/logs/master.log)"
  for i in $(seq 1 "$workers"); do
    mkdir -p "$DIR/work/worker-$i"
    launch "worker-$i" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 --webui-port 0 \
      --cores "$cores" --memory "$memory" --work-dir "$DIR/work/worker-$i" "$url"
  done
  for i in $(seq 1 "$workers"); do
    local wpid
    wpid=$(cat "$DIR/worker-$i.pid")
    waitlog "$DIR/logs/worker-$i.log" "Successfully registered with master" "worker $i" "$wpid"
    echo "worker $i  pid $wpid  $cores cores, $memory  (log $DIR/logs/worker-$i.log, work dir $DIR/work/worker-$i)"
  done
  echo "$url"
}

status() {
  [ -f "$DIR/master.url" ] || { echo "no cluster in $DIR"; return 0; }
  echo "cluster in $DIR: $(cat "$DIR/master.url")"
  local f name pid
  for f in "$DIR/master.pid" "$DIR"/worker-*.pid; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .pid)
    if pid=$(alive "$f"); then
      echo "$name  pid $pid  running  ($(pgrep -g "$pid" | grep -vc "^$pid$" || true) more processes in its group)"
    else
      echo "$name  pid $(cat "$f")  not running"
    fi
  done
}

# SIGTERM to each process group (workers first: they stop their executors), SIGKILL to what is left after 20 s.
stop_all() {
  local f pid groups=()
  for f in "$DIR"/worker-*.pid "$DIR/master.pid"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    # a worker killed earlier leaves its executors behind in its process group
    if [ -n "$(alive "$f")" ] || [ -n "$(pgrep -g "$pid" 2>/dev/null || true)" ]; then
      kill -TERM -- "-$pid" 2>/dev/null || true
      groups+=("$pid")
      echo "stopping $(basename "$f" .pid) (process group $pid)"
    fi
  done
  for _ in $(seq 1 200); do
    local left=0
    for pid in "${groups[@]}"; do [ -n "$(pgrep -g "$pid" 2>/dev/null || true)" ] && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  for pid in "${groups[@]}"; do
    if [ -n "$(pgrep -g "$pid" 2>/dev/null || true)" ]; then
      echo "process group $pid still running after 20 s: SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  done
  rm -f "$DIR"/*.pid "$DIR/master.url"
}

case "${1:-}" in
  start) shift; [ $# -le 1 ] || usage; start "$@" ;;
  status) status ;;
  stop)
    [ -d "$DIR" ] || { echo "no cluster in $DIR"; exit 0; }
    stop_all
    echo "stopped; logs kept in $DIR/logs" ;;
  submit)
    shift
    need_lib
    spark_jvm_options "$JAVA"
    # the driver logs warnings only, as ./vqsim's does (a Spark installation's conf/log4j2.properties would say)
    log=()
    [ -f "$ROOT/spark/target/classes/log4j2.properties" ] && log=("-Dlog4j2.configurationFile=$ROOT/spark/target/classes/log4j2.properties")
    # shellcheck disable=SC2086
    exec "$JAVA" "${SPARK_JVM_OPTIONS[@]}" "${log[@]}" ${JAVA_OPTS:-} -cp "$LIB/*" org.apache.spark.deploy.SparkSubmit "$@" ;;
  *) usage ;;
esac
