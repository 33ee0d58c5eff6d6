# ./quetzal k8s verify: after `kubectl apply -k`, prove that the deployment counts votes
# (docs/kubernetes.md#4-verify-the-deployment). Sourced by ./quetzal, whose die, check_java,
# needs_build, build, classpath_of, contest_tool and load it uses: the same load run and recount as
# against the local stack, pointed at the cluster through port-forwards.

# Broker N's FORWARD listener advertises 127.0.0.1:(base + N) (manifests/base/files/kafka/start.sh,
# forward_base), so its forward must use exactly that local port; a test keeps the two equal.
K8S_KAFKA_FORWARD_BASE="${QUETZAL_K8S_KAFKA_FORWARD_BASE:-19092}"
K8S_KAFKA_FORWARD_PORT=9094
K8S_FORWARD_PIDS=()

k8s_usage() {
  cat <<'EOF_USAGE'
Usage: ./quetzal k8s verify [--namespace NS] [--votes N] [--rate R] [--ingress NS/KIND/NAME:PORT]
                            [--target URL] [--timeout D]

  Waits for every Deployment, StatefulSet and Job of the namespace, port-forwards the Ingress
  controller, the streams app, Redis, MongoDB and each Kafka broker, sends N votes over HTTP and N
  over gRPC for the contest the cluster runs, then reconciles and recounts: PASS or FAIL.
  The votes are real and stay counted: run it before voting opens.

  --namespace NS    Quetzal's namespace (default quetzal)
  --votes N         votes per route (default 200)
  --rate R          votes/s per route, under the ingest rate limit (default 20)
  --ingress T       the Ingress controller's Service to forward (default kube-system/svc/traefik:80, k3s)
  --target URL      send to the Ingress at this URL (e.g. http://<node>) instead of a forward
  --timeout D       how long to wait for each rollout (default 5m)

REDIS_URL or MONGO_URI, when set, are used as given and that store is not forwarded (a managed
Redis or MongoDB outside the cluster). Needs kubectl, Java 17 and Locust (docs/load.md).
EOF_USAGE
}

k8s() {
  case "${1:-}" in
    verify) shift; k8s_verify "$@" ;;
    -h | --help | "") k8s_usage ;;
    *) die "unknown command 'k8s $1' (see ./quetzal k8s --help)" ;;
  esac
}

k8s_stop_forwards() {
  local pid
  for pid in "${K8S_FORWARD_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}

# k8s_forward LOG NAMESPACE TARGET REMOTE [LOCAL] : starts `kubectl port-forward` in the background and
# sets K8S_PORT to the local port once kubectl says it forwards (kubectl picks one when LOCAL is empty).
# Not called in $(...): the forward's pid must reach K8S_FORWARD_PIDS, which the exit trap stops.
k8s_forward() {
  local log="$1" namespace="$2" target="$3" remote="$4" local_port="${5:-}"
  : >"$log"
  kubectl -n "$namespace" port-forward --address 127.0.0.1 "$target" "$local_port:$remote" >"$log" 2>&1 &
  K8S_FORWARD_PIDS+=("$!")
  K8S_PORT=""
  local deadline=$((SECONDS + 30))
  while :; do
    K8S_PORT="$(sed -n 's/^Forwarding from 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$log" | head -1)"
    [[ -n "$K8S_PORT" ]] && return 0
    kill -0 "${K8S_FORWARD_PIDS[-1]}" 2>/dev/null \
      || die "port-forward to $namespace/$target:$remote failed: $(tr '\n' ' ' <"$log")"
    (( SECONDS < deadline )) || die "port-forward to $namespace/$target:$remote did not start in 30 s"
    sleep 0.2
  done
}

# k8s_secret NAMESPACE SECRET KEY : that key of the Secret, decoded.
k8s_secret() {
  local value
  value="$(kubectl -n "$1" get secret "$2" -o "jsonpath={.data.$3}")" \
    || die "cannot read Secret $1/$2 (key $3); set REDIS_URL / MONGO_URI to skip it"
  [[ -n "$value" ]] || die "Secret $1/$2 has no key '$3'"
  printf '%s' "$value" | base64 -d
}

# url_escape TEXT : TEXT percent-encoded for the user or password part of a URL.
url_escape() {
  # Byte by byte (C locale), so a character outside ASCII becomes its UTF-8 bytes, as URLs want.
  local LC_ALL=C text="$1" out="" c i
  for ((i = 0; i < ${#text}; i++)); do
    c="${text:i:1}"
    case "$c" in
      [A-Za-z0-9._~-]) out+="$c" ;;
      *) out+="$(printf '%%%02X' "'$c")" ;;
    esac
  done
  printf '%s' "$out"
}

k8s_verify() {
  local namespace=quetzal votes=200 rate=20 ingress=kube-system/svc/traefik:80 target="" timeout=5m
  while (( $# > 0 )); do
    case "$1" in
      --namespace | --votes | --rate | --ingress | --target | --timeout)
        (( $# >= 2 )) || die "$1 needs a value (see ./quetzal k8s --help)"
        case "$1" in
          --namespace) namespace="$2" ;;
          --votes) votes="$2" ;;
          --rate) rate="$2" ;;
          --ingress) ingress="$2" ;;
          --target) target="${2%/}" ;;
          --timeout) timeout="$2" ;;
        esac
        shift 2 ;;
      -h | --help) k8s_usage; return 0 ;;
      *) die "unknown option '$1' for 'k8s verify' (see ./quetzal k8s --help)" ;;
    esac
  done
  [[ "$votes" =~ ^[1-9][0-9]*$ ]] || die "--votes must be a positive whole number, not '$votes'"
  [[ "$ingress" =~ ^([^/]+)/([^:]+):([0-9]+)$ ]] || die "--ingress must look like kube-system/svc/traefik:80, not '$ingress'"
  local ingress_namespace="${BASH_REMATCH[1]}" ingress_service="${BASH_REMATCH[2]}" ingress_port="${BASH_REMATCH[3]}"
  [[ -z "$target" || "$target" =~ ^http://[^/]+$ ]] || die "--target must be http://host[:port], not '$target'"
  command -v kubectl >/dev/null 2>&1 || die "kubectl is not on PATH"
  [[ -x "$LOCUST_BIN" ]] || die "Locust is missing at $LOCUST_BIN: apt-get install python3-locust python3-grpcio python3-grpc-tools"
  check_java
  if needs_build; then build; fi

  local run_dir
  run_dir="$HOME_DIR/k8s/$(date -u +%y%m%d-%H%M%S)"
  mkdir -p "$run_dir"
  trap k8s_stop_forwards EXIT

  echo "quetzal: 1/4 waiting for the rollouts in namespace $namespace (up to $timeout each)"
  local workloads workload job
  workloads="$(kubectl -n "$namespace" get deployments,statefulsets -o name)" \
    || die "cannot list the workloads of namespace $namespace"
  [[ -n "$workloads" ]] || die "namespace $namespace has no Deployment or StatefulSet; run kubectl apply -k first"
  for workload in $workloads; do
    kubectl -n "$namespace" rollout status "$workload" --timeout "$timeout" >/dev/null \
      || die "$workload did not finish rolling out (kubectl -n $namespace describe $workload)"
    echo "  ok  $workload"
  done
  # The Jobs delete themselves an hour after they finish; a Job that is gone did finish.
  for job in $(kubectl -n "$namespace" get jobs -o name); do
    kubectl -n "$namespace" wait --for=condition=complete "$job" --timeout "$timeout" >/dev/null \
      || die "$job did not complete (kubectl -n $namespace logs $job)"
    echo "  ok  $job"
  done

  echo "quetzal: 2/4 port-forwards (logs in $run_dir)"
  local brokers i bootstrap=""
  if [[ -z "$target" ]]; then
    k8s_forward "$run_dir/ingress.log" "$ingress_namespace" "$ingress_service" "$ingress_port"
    target="http://127.0.0.1:$K8S_PORT"
  fi
  local grpc_target="${target#http://}"
  [[ "$grpc_target" == *:* ]] || grpc_target="$grpc_target:80"
  k8s_forward "$run_dir/streams-app.log" "$namespace" svc/streams-app 8081
  local streams_url="http://127.0.0.1:$K8S_PORT"
  local redis_url="${REDIS_URL:-}" mongo_uri="${MONGO_URI:-}"
  if [[ -z "$redis_url" ]]; then
    local redis_password
    redis_password="$(k8s_secret "$namespace" redis-auth password)"
    k8s_forward "$run_dir/redis.log" "$namespace" svc/redis 6379
    redis_url="redis://:$(url_escape "$redis_password")@127.0.0.1:$K8S_PORT"
  fi
  if [[ -z "$mongo_uri" ]]; then
    local mongo_user mongo_password
    mongo_user="$(k8s_secret "$namespace" mongodb-auth username)"
    mongo_password="$(k8s_secret "$namespace" mongodb-auth password)"
    k8s_forward "$run_dir/mongodb.log" "$namespace" svc/mongodb 27017
    mongo_uri="mongodb://$(url_escape "$mongo_user"):$(url_escape "$mongo_password")@127.0.0.1:$K8S_PORT"
  fi
  brokers="$(kubectl -n "$namespace" get statefulset kafka -o 'jsonpath={.spec.replicas}')" \
    || die "cannot read StatefulSet $namespace/kafka"
  for ((i = 0; i < brokers; i++)); do
    k8s_forward "$run_dir/kafka-$i.log" "$namespace" "pod/kafka-$i" "$K8S_KAFKA_FORWARD_PORT" \
      "$((K8S_KAFKA_FORWARD_BASE + i))"
    bootstrap+="${bootstrap:+,}127.0.0.1:$K8S_PORT"
  done
  echo "  ok  ingress $target, streams-app, redis, mongodb, $brokers Kafka broker(s)"

  echo "quetzal: 3/4 votes for the contest the cluster runs"
  local catalog="$run_dir/catalog.json" traffic="$run_dir/traffic.json"
  KAFKA_BOOTSTRAP_SERVERS="$bootstrap" contest_tool show >"$catalog" || die "could not read the cluster's contest"
  # An open contest counts any well-formed vote: vote for the demo's bands then.
  [[ "$(head -c 4 "$catalog")" == none ]] && catalog="$ROOT/config/catalog.json"
  (cd "$ROOT" && java -XX:+UseSerialGC -Xmx128m -cp "$(classpath_of load)" gt.quetzal.load.traffic.TrafficGenerator \
      --votes "$votes" --catalog "$catalog" --duplicates 0 --invalid 0 --seed "$RANDOM" --out "$traffic" >/dev/null) \
    || die "could not write the votes for the contest in $catalog"

  echo "quetzal: 4/4 $votes votes over HTTP and $votes over gRPC through $target, then the verdict"
  KAFKA_BOOTSTRAP_SERVERS="$bootstrap" STREAMS_URL="$streams_url" REDIS_URL="$redis_url" MONGO_URI="$mongo_uri" \
    CATALOG_FILE="$catalog" RECOUNT=on \
    load --route both --draw once --users 4 --rate "$rate" --duration 10m \
      --target "$target" --grpc-target "$grpc_target" --traffic "$traffic"
}
