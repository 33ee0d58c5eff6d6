# ./quetzal up: the local stack, one JVM per service beside the devstack (or all in one with --one-jvm):
# port checks, start, readiness, the printed table and one stop for all. Sourced by ./quetzal, whose
# tables (PORTS, JVMS), JVM options and helpers (die, check_java, build, classpath_of) it uses.

port_in_use() {
  # A successful connect means something already listens there.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# add_brokers N : the ports of brokers 2..N join the table (checked, printed), each the first
# broker's ports plus 2(i-1), as the devstack binds them; LOCAL_KAFKA lists every broker.
add_brokers() {
  local kafka controller i
  kafka="$(port_of devstack QUETZAL_KAFKA_PORT)"
  controller="$(port_of devstack QUETZAL_KAFKA_CONTROLLER_PORT)"
  for ((i = 1; i < $1; i++)); do
    PORTS+=("devstack|-|$((kafka + 2 * i))||kafka $((i + 1))|localhost:{port}")
    PORTS+=("devstack|-|$((controller + 2 * i))||(controller $((i + 1)))|KRaft controller")
    LOCAL_KAFKA+=",localhost:$((kafka + 2 * i))"
  done
}

check_ports() {
  local row jvm variable port taken=0
  for row in "${PORTS[@]}"; do
    IFS='|' read -r jvm variable port _ <<<"$row"
    if [[ "$variable" == QUETZAL_MONGO_PORT && -n "${MONGO_URI:-}" ]]; then continue; fi
    if port_in_use "$port"; then
      echo "quetzal: port $port ($jvm, $variable) is already in use. Stop whatever holds it and retry." >&2
      taken=1
    fi
  done
  (( taken == 0 )) || exit 2
}

# port_env JVM : VARIABLE=port for each port of that JVM.
port_env() {
  local row jvm variable port
  for row in "${PORTS[@]}"; do
    IFS='|' read -r jvm variable port _ <<<"$row"
    if [[ "$jvm" == "$1" && "$variable" != - ]]; then echo "$variable=$port"; fi
  done
}

# start JVM JVM_OPTION... -- ENV=VALUE... : the JVM of that table row in the background, with its ports
# and its own environment, its output in LOG_DIR/JVM.log.
start_jvm() {
  local name="$1" row jvm module main own
  shift
  local opts=()
  while [[ "$1" != -- ]]; do opts+=("$1"); shift; done
  shift
  for row in "${JVMS[@]}" "$ONE_JVM"; do
    IFS='|' read -r jvm module main own <<<"$row"
    [[ "$jvm" == "$name" ]] && break
  done
  [[ "$jvm" == "$name" ]] || die "no JVM $name in the table"
  local env=("$@") cp
  mapfile -t -O "${#env[@]}" env < <(port_env "$name")
  if [[ -n "$own" ]]; then
    local own_env
    read -r -a own_env <<<"$own"
    env+=("${own_env[@]//\{home\}/$HOME_DIR}")
  fi
  cp="$(classpath_of "$module")"
  mapfile -t -O "${#opts[@]}" opts < <(cds_option "$name" "$cp" "${opts[@]}")
  [[ " ${opts[*]}" == *" -XX:SharedArchiveFile="* ]] && CDS_MAPPED=$((CDS_MAPPED + 1))
  # Emptied here, not by the background redirection: a reader started next must not see the last run's log.
  : >"$LOG_DIR/$name.log"
  (cd "$ROOT" && exec env "${env[@]}" java "${opts[@]}" -cp "$cp" "$main") >>"$LOG_DIR/$name.log" 2>&1 &
  PIDS+=("$!")
  NAMES+=("$name")
  CLASSPATHS+=("$cp")
}

# one_jvm_env : each service's ports and own variables, prefixed with its name, for OneJvmMain.
one_jvm_env() {
  local row jvm module main own prefix var own_env
  for row in "${JVMS[@]:1}"; do
    IFS='|' read -r jvm module main own <<<"$row"
    prefix="${jvm//-/_}"
    prefix="${prefix^^}__"
    read -r -a own_env <<<"$own"
    for var in $(port_env "$jvm") "${own_env[@]//\{home\}/$HOME_DIR}"; do echo "$prefix$var"; done
  done
}

# wait_ready : every row with a ready path answers 200, asked every 0.2 s (all start at once, so one row
# after another costs nothing); gives up on a JVM that exited or after 90 s.
wait_ready() {
  local row jvm variable port ready url i pid deadline=$((SECONDS + 90))
  for row in "${PORTS[@]}"; do
    IFS='|' read -r jvm variable port ready _ <<<"$row"
    [[ -n "$ready" ]] || continue
    url="http://localhost:$port$ready"
    [[ " ${NAMES[*]} " == *" $jvm "* ]] || jvm=services # up --one-jvm
    for i in "${!NAMES[@]}"; do [[ "${NAMES[$i]}" == "$jvm" ]] && pid="${PIDS[$i]}"; done
    until curl -sf -o /dev/null --max-time 2 "$url"; do
      if (( SECONDS >= deadline )) || ! kill -0 "$pid" 2>/dev/null; then
        echo "quetzal: $jvm did not become ready at $url; last log lines:" >&2
        tail -n 20 "$LOG_DIR/$jvm.log" >&2 || true
        return 1
      fi
      sleep 0.2
    done
  done
}

# stop_all STATUS : stops the stack and exits with STATUS: 0 after Ctrl-C, the failure's status otherwise.
stop_all() {
  local code="${1:-0}"
  trap - INT TERM EXIT
  echo
  echo "quetzal: stopping…"
  local i stop_started=$SECONDS status services=6 devstack=3
  # A JVM writing its class archive (the first stop after a build) needs longer.
  for i in "${!NAMES[@]}"; do
    if cds_pending "${NAMES[$i]}"; then services=40 devstack=30; fi
  done
  # Services first, all at once (each flushes and closes its Kafka clients), then the devstack.
  for ((i = ${#PIDS[@]} - 1; i >= 1; i--)); do kill -TERM "${PIDS[$i]}" 2>/dev/null || true; done
  wait_pids "$services" "${PIDS[@]:1}"
  if (( ${#PIDS[@]} > 0 )); then
    kill -TERM "${PIDS[0]}" 2>/dev/null || true
    wait_pids "$devstack" "${PIDS[0]}"
  fi
  for i in "${!CLASSPATHS[@]}"; do
    if cds_pending "${NAMES[$i]}"; then
      status=0
      wait "${PIDS[$i]}" 2>/dev/null || status=$?
      cds_promote "${NAMES[$i]}" "$status" "${CLASSPATHS[$i]}" &
    fi
  done
  wait
  echo "quetzal: stopped in $((SECONDS - stop_started)) s. Data and logs are in $HOME_DIR"
  exit "$code"
}

# wait_pids SECONDS PID... : wait for graceful exit, then kill what is left, children included: a devstack
# killed alone leaves its redis-server holding the port, and the next up refuses to start.
wait_pids() {
  local deadline=$((SECONDS + $1))
  shift
  local pid remaining
  for pid in "$@"; do
    remaining=$((deadline - SECONDS))
    (( remaining > 0 )) && timeout "$remaining" tail --pid="$pid" -s 0.2 -f /dev/null 2>/dev/null || true
    # shellcheck disable=SC2046 # one PID a word
    kill -KILL $(process_tree "$pid") 2>/dev/null || true
  done
}

print_table() {
  # MONGO_URI may carry a password: show it redacted, like the services log it.
  local mongo_shown
  mongo_shown=$(printf '%s' "${MONGO_URI:-$LOCAL_MONGO (stand-in)}" | sed -E 's|^([a-zA-Z][a-zA-Z0-9+.-]*://)[^?#]*@|\1***@|')
  local row jvm variable port ready label shown labels=() ports=() urls=() w1=7 w3=3 i
  for row in "${PORTS[@]}"; do
    IFS='|' read -r jvm variable port ready label shown <<<"$row"
    [[ -n "$label" ]] || continue
    shown="${shown//\{port\}/$port}"
    shown="${shown//\{mongo\}/$mongo_shown}"
    labels+=("$label"); ports+=("$port"); urls+=("$shown")
    if (( ${#label} > w1 )); then w1=${#label}; fi
    if (( ${#shown} > w3 )); then w3=${#shown}; fi
  done
  local line1 line3
  line1="$(printf '─%.0s' $(seq 1 $((w1 + 2))))"
  line3="$(printf '─%.0s' $(seq 1 $((w3 + 2))))"
  echo
  echo "  Quetzal is up."
  echo "  ┌${line1}┬───────┬${line3}┐"
  printf '  │ %-*s │ %-5s │ %-*s │\n' "$w1" service port "$w3" url
  echo "  ├${line1}┼───────┼${line3}┤"
  for i in "${!labels[@]}"; do
    printf '  │ %-*s │ %-5s │ %-*s │\n' "$w1" "${labels[$i]}" "${ports[$i]}" "$w3" "${urls[$i]}"
  done
  echo "  └${line1}┴───────┴${line3}┘"
  echo "  Every service also serves /healthz, /readyz and /metrics on its port."
  echo "  Logs: $LOG_DIR     Ctrl-C stops everything."
  echo
}

up() {
  local demo=0 catalog="" brokers=1 partitions="${QUETZAL_PARTITIONS:-}" one_jvm=0
  while (( $# > 0 )); do
    case "$1" in
      --demo) demo=1; shift ;;
      --one-jvm) one_jvm=1; shift ;;
      --brokers)
        (( $# >= 2 )) || die "--brokers needs a number from 1 to 5"
        brokers="$2"; shift 2 ;;
      --brokers=*) brokers="${1#--brokers=}"; shift ;;
      --partitions)
        (( $# >= 2 )) || die "--partitions needs a number from 1 to 64"
        partitions="$2"; shift 2 ;;
      --partitions=*) partitions="${1#--partitions=}"; shift ;;
      --catalog)
        (( $# >= 2 )) || die "--catalog needs a catalog file or 'none' (see ./quetzal help)"
        catalog="$2"; shift 2 ;;
      --catalog=*) catalog="${1#--catalog=}"; shift ;;
      *) die "unknown option '$1' for 'up' (see ./quetzal help)" ;;
    esac
  done
  [[ "$brokers" =~ ^[1-5]$ ]] || die "--brokers takes a number from 1 to 5, not '$brokers'"
  add_brokers "$brokers"
  if [[ -n "$partitions" ]] && ! [[ "$partitions" =~ ^[1-9][0-9]?$ && "$partitions" -le 64 ]]; then
    die "--partitions takes a number from 1 to 64, not '$partitions'"
  fi
  if [[ -n "$catalog" && "$catalog" != none ]]; then
    [[ -f "$catalog" ]] || die "no catalog file at '$catalog' (or say --catalog none for an open contest)"
    catalog="$(cd "$(dirname "$catalog")" && pwd)/$(basename "$catalog")"
  fi

  check_java
  check_ports
  command -v curl >/dev/null 2>&1 || die "curl is required to check that services are ready."
  if needs_build; then build; else echo "quetzal: build is up to date."; fi

  mkdir -p "$LOG_DIR"
  trap 'stop_all 0' INT TERM
  trap 'stop_all $?' EXIT

  local started=${EPOCHREALTIME/[.,]/}
  echo "quetzal: starting Kafka, Redis and MongoDB…"
  # The contest is data in Kafka (contest.catalog); the services read it. The devstack applies it as
  # './quetzal contest apply' would, before it says READY: the chosen one, or the demo's on a fresh home.
  local contest_env="QUETZAL_CONTEST=$catalog"
  [[ -n "$catalog" ]] || contest_env="QUETZAL_CONTEST_IF_ABSENT=$ROOT/config/catalog.json"
  start_jvm devstack "${DEVSTACK_JVM_OPTS[@]}" -- QUETZAL_HOME="$HOME_DIR" QUETZAL_KAFKA_BROKERS="$brokers" \
    ${partitions:+QUETZAL_PARTITIONS="$partitions"} "$contest_env"
  local devstack_pid="${PIDS[0]}"
  # Event-driven wait: grep exits on the ready line, timeout bounds it, and tail ends with the devstack.
  if ! timeout 60 grep -q -m1 "DEVSTACK READY" \
      <(tail -F -n +1 --pid="$devstack_pid" "$LOG_DIR/devstack.log" 2>/dev/null); then
    # Its refusal of another partition count is its last lines, and all the reader needs.
    if grep -q "^quetzal: the topics exist with another partition count" "$LOG_DIR/devstack.log"; then
      sed -n '/^quetzal: the topics exist with another partition count/,$p' "$LOG_DIR/devstack.log" >&2
      exit 1
    fi
    if grep -q "^contest: \|QUETZAL_CONTEST" "$LOG_DIR/devstack.log"; then
      grep "^contest: \|QUETZAL_CONTEST" "$LOG_DIR/devstack.log" >&2
      die "could not apply the contest '${catalog:-$ROOT/config/catalog.json}'"
    fi
    echo "quetzal: the devstack did not start; last log lines:" >&2
    tail -n 30 "$LOG_DIR/devstack.log" >&2
    exit 1
  fi
  sed -n 's/^DEVSTACK READY .*partitions=\([0-9]*\).*/quetzal: Kafka is up; votes.raw and the tallies have \1 partitions./p' \
    "$LOG_DIR/devstack.log" | head -1
  grep -m1 "^contest: " "$LOG_DIR/devstack.log" || true

  local row jvm
  local common=("KAFKA_BOOTSTRAP_SERVERS=$LOCAL_KAFKA" "REDIS_URL=$LOCAL_REDIS" "MONGO_URI=${MONGO_URI:-$LOCAL_MONGO}")
  if (( one_jvm == 1 )); then
    local own_vars
    mapfile -t own_vars < <(one_jvm_env)
    start_jvm services "${ONE_JVM_OPTS[@]}" -- "${common[@]}" "${own_vars[@]}"
  else
    for row in "${JVMS[@]:1}"; do
      IFS='|' read -r jvm _ <<<"$row"
      start_jvm "$jvm" "${SERVICE_JVM_OPTS[@]}" -- "${common[@]}"
    done
  fi
  wait_ready
  print_table
  local took=$(( (${EPOCHREALTIME/[.,]/} - started) / 100000 ))
  echo "quetzal: ready in $((took / 10)).$((took % 10)) s, $(stack_rss "${PIDS[@]}") MiB RSS (its JVMs and redis-server);" \
    "$CDS_MAPPED of ${#PIDS[@]} JVMs mapped a class-data archive."
  # The build's training start (cds_train) stops here: each JVM writes its archive as it exits.
  [[ -z "${QUETZAL_UP_TRAINING:-}" ]] || stop_all 0

  if (( demo == 1 )); then
    # The demo votes for the contest that runs: its catalog, or the demo's bands in an open contest.
    local demo_catalog="$HOME_DIR/contest-now.json"
    KAFKA_BOOTSTRAP_SERVERS=$LOCAL_KAFKA contest_tool show >"$demo_catalog" || die "could not read the contest"
    [[ "$(head -c 4 "$demo_catalog")" == none ]] && demo_catalog="$ROOT/config/catalog.json"
    local lcp
    lcp="$(classpath_of load)"
    (cd "$ROOT" && exec env "INGEST_URL=$LOCAL_INGEST_HTTP" "REDIS_URL=$LOCAL_REDIS" \
        "CATALOG_FILE=$demo_catalog" java "${SERVICE_JVM_OPTS[@]}" -cp "$lcp" \
        gt.quetzal.load.DemoDriver) &
    PIDS+=("$!")
    NAMES+=("demo")
  fi
  # Returns when any child exits; a crashed service stops the stack rather than limping on.
  wait -n "${PIDS[@]}" || true
  local i
  for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
      echo "quetzal: ${NAMES[$i]} exited unexpectedly; see $LOG_DIR/${NAMES[$i]}.log" >&2
    fi
  done
  return 1
}

# cds_jvms : the JVMs of the default stack with the options up gives them, one "NAME CLASSPATH
# JVM_OPTION..." a line: the ones whose class-data archives the build makes (cds_ensure in launcher/cds.sh).
# up --one-jvm's JVM is not among them; it writes its archive when it first stops.
cds_jvms() {
  local row jvm module opts
  for row in "${JVMS[@]}"; do
    IFS='|' read -r jvm module _ <<<"$row"
    opts=("${SERVICE_JVM_OPTS[@]}")
    [[ "$jvm" == devstack ]] && opts=("${DEVSTACK_JVM_OPTS[@]}")
    echo "$jvm $(classpath_of "$module") ${opts[*]}"
  done
}

# cds_train : the build's training start: './quetzal up' on a scratch home and free ports, with the
# demo contest and a single broker, which stops by itself once every service is ready (so each JVM writes
# its archive as it exits). Its log is kept only when it fails.
cds_train() {
  local offset home status=0
  offset="$(free_port_offset)" || { echo "quetzal: no free ports for the training start" >&2; return 1; }
  home="$(mktemp -d "${TMPDIR:-/tmp}/quetzal-cds.XXXXXX")"
  touch "$home/build.stamp" # this build is current: the training start must not build again
  env -u MONGO_URI -u QUETZAL_PARTITIONS QUETZAL_HOME="$home" QUETZAL_PORT_OFFSET="$offset" QUETZAL_UP_TRAINING=1 \
    bash "$ROOT/quetzal" up >"$home/up.log" 2>&1 || status=$?
  if (( status != 0 )); then
    echo "quetzal: the training start failed (exit $status); its log: $home/up.log" >&2
    return "$status"
  fi
  rm -rf "$home"
}

# free_port_offset : a QUETZAL_PORT_OFFSET from 3000 to 5500 (by 100, from a random one) under which
# every port of the table is free; those ports stay below the kernel's ephemeral range.
free_port_offset() {
  local base="${QUETZAL_PORT_OFFSET:-0}" first=$((RANDOM % 26)) i offset row port free
  for ((i = 0; i < 26; i++)); do
    offset=$((3000 + (first + i) % 26 * 100))
    free=1
    for row in "${PORTS[@]}"; do
      IFS='|' read -r _ _ port _ <<<"$row"
      if port_in_use $((port - base + offset)); then free=0; break; fi
    done
    if (( free == 1 )); then echo "$offset"; return 0; fi
  done
  return 1
}
