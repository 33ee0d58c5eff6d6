# ./quetzal load and recount: votes through the routes with Locust, then the reconciliation; the
# auditor's recount (docs/load.md, docs/reliability.md). Sourced by ./quetzal.

# ---- load: Locust through either route, then the reconciliation ------------------------------------

LOCUST_BIN="${LOCUST_BIN:-/usr/bin/locust}"
# The reconciler holds every vote of the run in memory (about 200 bytes each).
RECONCILE_JVM_OPTS=(-XX:+UseSerialGC -Xmx768m)

load_usage() {
  cat <<EOF_USAGE
Usage: ./quetzal load [--users N] [--duration 20s] [--route http|grpc|both] [--target URL]
                      [--grpc-target HOST:PORT] [--traffic FILE] [--draw once|random] [--rate N]

  --users N         concurrent Locust users per route (default 20)
  --duration D      run time per route, e.g. 20s, 2m (default 20s); 'both' runs HTTP, then gRPC
  --route R         http, grpc or both (default both)
  --target URL      HTTP ingest base URL (default $LOCAL_INGEST_HTTP; an Ingress URL works)
  --grpc-target T   gRPC ingest host:port, or grpcs://host:port for TLS (default $LOCAL_INGEST_GRPC)
  --traffic FILE    traffic file (default load/traffic.json)
  --draw MODE       once: each vote once, like the seed's pop(); random: shuffled passes for the
                    whole duration (default random)
  --rate N          votes/s per route, 0 = as fast as Locust can (default 0)

The reconciliation reads STREAMS_URL, REDIS_URL, MONGO_URI and CATALOG_FILE (defaults: the local
stack); INGEST_HTTP_METRICS and INGEST_GRPC_METRICS name the ingest /metrics URLs whose CPU time is
reported per request (defaults: the local stack's, when the targets are the local ones).
Results go to .quetzal/load/<run>/; see docs/load.md.
EOF_USAGE
}

load() {
  local users=20 duration=20s route=both target=$LOCAL_INGEST_HTTP grpc_target=$LOCAL_INGEST_GRPC
  local traffic="$ROOT/load/traffic.json" draw=random rate=0
  while (( $# > 0 )); do
    case "$1" in
      --users | --duration | --route | --target | --grpc-target | --traffic | --draw | --rate)
        (( $# >= 2 )) || die "$1 needs a value (see ./quetzal load --help)"
        case "$1" in
          --users) users="$2" ;;
          --duration) duration="$2" ;;
          --route) route="$2" ;;
          --target) target="${2%/}" ;;
          --grpc-target) grpc_target="$2" ;;
          --traffic) traffic="$2" ;;
          --draw) draw="$2" ;;
          --rate) rate="$2" ;;
        esac
        shift 2 ;;
      -h | --help) load_usage; return 0 ;;
      *) die "unknown option '$1' for 'load' (see ./quetzal load --help)" ;;
    esac
  done
  [[ "$users" =~ ^[1-9][0-9]*$ ]] || die "--users must be a positive whole number, not '$users'"
  [[ "$duration" =~ ^([0-9]+[hms])+$|^[0-9]+$ ]] || die "--duration must look like 20s, 2m or 1h30m, not '$duration'"
  [[ "$target" =~ ^https?://[^/]+ ]] || die "--target must be an http:// or https:// URL, not '$target'"
  [[ "$route" =~ ^(http|grpc|both)$ ]] || die "--route must be http, grpc or both, not '$route'"
  [[ "$draw" =~ ^(once|random)$ ]] || die "--draw must be once or random, not '$draw'"
  [[ "$rate" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--rate must be a number of votes per second, not '$rate'"
  [[ -f "$traffic" ]] || die "no traffic file at '$traffic'"
  [[ -x "$LOCUST_BIN" ]] || die "Locust is missing at $LOCUST_BIN: apt-get install python3-locust python3-grpcio python3-grpc-tools"
  check_java
  if needs_build; then build; fi
  traffic="$(cd "$(dirname "$traffic")" && pwd)/$(basename "$traffic")"

  local run_id run_dir cp
  run_id="q$(date -u +%y%m%d%H%M%S)-$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')"
  run_dir="$HOME_DIR/load/$run_id"
  mkdir -p "$run_dir"
  cp="$(classpath_of load)"
  local reconcile_env=(
    "KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-$LOCAL_KAFKA}"
    "RECOUNT=${RECOUNT:-on}"
    "STREAMS_URL=${STREAMS_URL:-$LOCAL_STREAMS}"
    "REDIS_URL=${REDIS_URL:-$LOCAL_REDIS}"
    "MONGO_URI=${MONGO_URI:-$LOCAL_MONGO}"
    "CATALOG_FILE=${CATALOG_FILE:-$ROOT/config/catalog.json}")

  echo "quetzal: load run $run_id (results in $run_dir)"
  (cd "$ROOT" && env "${reconcile_env[@]}" java "${RECONCILE_JVM_OPTS[@]}" -cp "$cp" \
      gt.quetzal.load.reconcile.Reconciler snapshot "$run_dir/before.json") \
    || die "cannot read the pipeline's counters; is the stack up (./quetzal up)? For another stack set STREAMS_URL, REDIS_URL and MONGO_URI."

  local routes=("$route")
  [[ "$route" == both ]] && routes=(http grpc)
  # The ingest service's own CPU time per request, when its /metrics is reachable (local stack by default).
  local http_metrics="${INGEST_HTTP_METRICS:-}" grpc_metrics="${INGEST_GRPC_METRICS:-}"
  [[ -z "$http_metrics" && "$target" == "$LOCAL_INGEST_HTTP" ]] && http_metrics=$LOCAL_INGEST_HTTP/metrics
  [[ -z "$grpc_metrics" && "$grpc_target" == "$LOCAL_INGEST_GRPC" ]] && grpc_metrics=$LOCAL_INGEST_GRPC_OPS/metrics
  local r class metrics
  for r in "${routes[@]}"; do
    if [[ "$r" == http ]]; then class=HttpVoter metrics="$http_metrics"; else class=GrpcVoter metrics="$grpc_metrics"; fi
    echo "quetzal: $r: $users users for $duration (draw $draw) → $([[ $r == http ]] && echo "$target" || echo "$grpc_target")"
    # Locust exits 1 when any request failed; the reconciliation below is the verdict, so go on.
    (cd "$ROOT" && env QUETZAL_RUN_ID="$run_id" QUETZAL_TRAFFIC="$traffic" QUETZAL_OUTCOMES_DIR="$run_dir" \
        QUETZAL_DRAW="$draw" QUETZAL_RATE="$rate" QUETZAL_GRPC_TARGET="$grpc_target" QUETZAL_INGEST_METRICS="$metrics" \
        "$LOCUST_BIN" -f "$ROOT/load/locust/locustfile.py" --headless --only-summary \
        -u "$users" -r "$users" -t "$duration" --stop-timeout 30 --host "$target" \
        --csv "$run_dir/locust-$r" --logfile "$run_dir/locust-$r.log" "$class") \
      || echo "quetzal: Locust reported failed requests on $r (see $run_dir/locust-$r.log)"
  done

  echo "quetzal: reconciling (waiting for the pipeline to settle)…"
  (cd "$ROOT" && exec env "${reconcile_env[@]}" java "${RECONCILE_JVM_OPTS[@]}" -cp "$cp" \
      gt.quetzal.load.reconcile.Reconciler verify "$run_dir" "$traffic" "$run_dir/before.json")
}

# recount : the auditor's recount against the local stack, or wherever the environment points.
recount() {
  check_java
  if needs_build; then build >&2; fi
  local cp
  cp="$(classpath_of load)"
  env "KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-$LOCAL_KAFKA}" "REDIS_URL=${REDIS_URL:-$LOCAL_REDIS}" \
      "MONGO_URI=${MONGO_URI:-$LOCAL_MONGO}" \
    java -XX:+UseSerialGC -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      -cp "$cp" gt.quetzal.load.recount.RecountMain
}
