# ./quetzal bench, capacity and faults: each benchmark or fault run in its own JVM on its own throw-away
# stack (docs/benchmarks.md, docs/capacity.md, docs/reliability.md). Sourced by ./quetzal.

# ---- bench: one benchmark in its own JVM, on its own throw-away stack --------------------------------

# The benchmarks: name|main class|JVM options. The ingest and streams JVMs host the broker, the services
# or the producer, and the driver; the sinks JVM also holds the MongoDB stand-in's documents (two runs of
# BENCH_SINKS_VOTES). The streams app of 'bench streams' runs in a JVM of its own with the services'
# options, so its RSS is what './quetzal up' would show.
BENCHES=(
  "ingest|gt.quetzal.bench.ingest.IngestBench|-Xms1g -Xmx2g -XX:+UseParallelGC"
  "sinks|gt.quetzal.bench.sinks.SinksBench|-Xms2g -Xmx8g -XX:+UseParallelGC"
  "streams|gt.quetzal.bench.streams.StreamsBench|-Xms1g -Xmx2g -XX:+UseParallelGC"
  "up|gt.quetzal.bench.up.UpBench|-XX:+UseSerialGC -Xmx256m"
)
# What 'bench all' runs, in order, and where it records them (the targets table in docs/benchmarks.md is
# rendered from there, and a test holds the page to that directory).
BENCH_ALL=(ingest streams sinks up)
BENCH_ALL_RESULTS="docs/bench-results/all"

# bench NAME : that benchmark, on its own throw-away stack (docs/benchmarks.md).
bench() {
  local what="${1:-}" row name main options="" opts extra=() names=()
  case "$what" in
    all) shift; bench_all "$@"; return ;;
    table) shift; bench_table "$@"; return ;;
  esac
  for row in "${BENCHES[@]}"; do
    IFS='|' read -r name main options <<<"$row"
    [[ "$name" == "$what" ]] && break
    names+=("$name")
    options=""
  done
  [[ -n "$options" ]] || die "usage: ./quetzal bench $(IFS='|'; echo "${names[*]}")|all|table (see ./quetzal help)"
  read -r -a opts <<<"$options"
  shift
  (( $# == 0 )) || die "unknown option '$1' for 'bench $what'; tune it with BENCH_* variables (docs/benchmarks.md)"
  check_java
  if needs_build; then build; else echo "quetzal: build is up to date."; fi
  if [[ "$what" == streams ]]; then
    extra=("BENCH_STREAMS_CLASSPATH=$(classpath_of streams-app)"
      "BENCH_STREAMS_JVM_OPTS=${BENCH_STREAMS_JVM_OPTS:-${SERVICE_JVM_OPTS[*]}}")
  fi
  if [[ "$what" == up ]]; then
    # What the README promises: a start from a build that made its archives (made now if it did not).
    cds_ensure cds_train || true
    # './quetzal up' on a scratch home; its stamp says this build is current, so it does not rebuild.
    local up_home="${BENCH_UP_HOME:-$HOME_DIR/bench-up}"
    rm -rf "$up_home" && mkdir -p "$up_home" && touch "$up_home/build.stamp"
    extra=("BENCH_UP_LAUNCHER=$ROOT/quetzal" "BENCH_UP_HOME=$up_home"
      "BENCH_UP_INGEST_PORT=$(port_of ingest-http HTTP_PORT)")
  fi
  local cp commit
  cp="$(classpath_of bench)"
  # The results file (BENCH_RESULTS_DIR/NAME.json) names the commit measured; -dirty: with local changes.
  commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]] && commit+="-dirty"
  cd "$ROOT" && exec env "CATALOG_FILE=${CATALOG_FILE:-$ROOT/config/catalog.json}" "${extra[@]}" \
    "QUETZAL_COMMIT=$commit" "BENCH_RESULTS_DIR=${BENCH_RESULTS_DIR:-$HOME_DIR/bench-results}" \
    java "${opts[@]}" -cp "$cp" "$main"
}

# bench all : every benchmark in turn, then the targets table (also written into docs/benchmarks.md).
bench_all() {
  (( $# == 0 )) || die "unknown option '$1' for 'bench all'; tune it with BENCH_* variables (docs/benchmarks.md)"
  check_java
  if needs_build; then build; else echo "quetzal: build is up to date."; fi
  local dir="${BENCH_RESULTS_DIR:-$ROOT/$BENCH_ALL_RESULTS}" name started=$SECONDS failed=()
  mkdir -p "$dir"
  # A bench that fails leaves no stale file behind: its rows read "not measured".
  for name in ingest streams sinks stack; do rm -f "$dir/$name.json"; done
  local own=()
  for name in "${BENCH_ALL[@]}"; do
    echo "quetzal: bench all: $name ($(( (SECONDS - started) / 60 )) min so far)"
    # The streams app against both floors, median of 3 rounds, unless the caller chose otherwise.
    own=()
    [[ "$name" == streams ]] && own=("BENCH_STREAMS_APP=${BENCH_STREAMS_APP:-all}" "BENCH_STREAMS_ROUNDS=${BENCH_STREAMS_ROUNDS:-3}")
    if ! env "BENCH_RESULTS_DIR=$dir" "${own[@]}" bash "$ROOT/quetzal" bench "$name"; then
      failed+=("$name")
    fi
  done
  echo "quetzal: bench all took $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s${failed:+; failed: ${failed[*]}}"
  BENCH_RESULTS_DIR="$dir" bench_table
}

# bench table : the targets table from recorded results (BENCH_RESULTS_DIR, default bench all's), written
# into docs/benchmarks.md between its markers.
bench_table() {
  (( $# == 0 )) || die "unknown option '$1' for 'bench table'"
  check_java
  if needs_build; then build >&2; fi
  local cp dir="${BENCH_RESULTS_DIR:-$BENCH_ALL_RESULTS}"
  cp="$(classpath_of bench)"
  # Shown relative to the repository when it is inside it, so the page names a path that works.
  dir="$(cd "$ROOT" && realpath -m --relative-base="$ROOT" "$dir")"
  cd "$ROOT" && BENCH_RESULTS_DIR="$dir" BENCH_TABLE_DOC="$ROOT/docs/benchmarks.md" \
    java -XX:+UseSerialGC -Xmx128m -cp "$cp" gt.quetzal.bench.results.TargetsMain
}

# ---- capacity: the model, sized from recorded bench results ----------------------------------------

capacity() {
  (( $# == 0 )) || die "unknown option '$1' for 'capacity'; set CAPACITY_* variables instead (docs/capacity.md)"
  check_java
  if needs_build; then build >&2; fi
  local cp
  cp="$(classpath_of bench)"
  cd "$ROOT" && exec java -XX:+UseSerialGC -Xmx128m -cp "$cp" gt.quetzal.bench.capacity.CapacityMain
}

# ---- faults: votes flow while one part fails; nothing acknowledged may be lost or doubled ---------------

# One JVM holds the throw-away brokers, the MongoDB stand-in, both ingest services and the senders.
FAULTS_JVM_OPTS=(-XX:+UseSerialGC -Xms256m -Xmx1g)

faults() {
  local arg
  for arg in "$@"; do
    [[ "$arg" =~ ^([1-9]|all)$ ]] || die "usage: ./quetzal faults [1-9 ...|all] (default all nine; see docs/reliability.md)"
  done
  check_java
  if needs_build; then build; else echo "quetzal: build is up to date."; fi
  local cp run_dir
  cp="$(classpath_of bench)"
  run_dir="$HOME_DIR/faults/$(date -u +%y%m%d-%H%M%S)"
  mkdir -p "$run_dir/stack"
  # Fault 6 starts './quetzal up' on a scratch QUETZAL_HOME; its stamp says this build is current.
  touch "$run_dir/stack/build.stamp"
  echo "quetzal: fault runs; report in $run_dir/faults.log, the JVM's own log in $run_dir/jvm.log"
  (cd "$ROOT" && exec env FAULTS_LOG_DIR="$run_dir/logs" FAULTS_LAUNCHER="$ROOT/quetzal" \
      FAULTS_LAUNCHER_HOME="$run_dir/stack" "CATALOG_FILE=${CATALOG_FILE:-$ROOT/config/catalog.json}" \
      java "${FAULTS_JVM_OPTS[@]}" -cp "$cp" gt.quetzal.bench.fault.FaultsMain "$@" 2>"$run_dir/jvm.log") \
    | tee "$run_dir/faults.log"
}
