#!/bin/bash
# Declares the project's topics with the admin client (kafka-topics.sh), from
# topics.txt, $PARTITIONS there standing for PARTITIONS. Idempotent, as the
# devstack's TopicSetup: an existing topic gets the plan's configs
# (kafka-configs.sh), so the Job can run again on every apply and a config added
# to the plan reaches old topics. An existing topic with another partition count
# fails the Job before anything is created: the count cannot change during a
# contest (README.md, "Partitions: fixed for a contest").
set -euo pipefail

: "${BOOTSTRAP_SERVERS:?}" "${REPLICATION_FACTOR:?}" "${PARTITIONS:?}"
if ! [[ "$PARTITIONS" =~ ^[1-9][0-9]*$ ]]; then
  echo "PARTITIONS=$PARTITIONS is not a positive integer" >&2
  exit 1
fi
topics_cli=/opt/kafka/bin/kafka-topics.sh
configs_cli=/opt/kafka/bin/kafka-configs.sh
plan=/etc/quetzal/kafka/topics.txt
# Short admin timeouts so each wait below is bounded by seconds, not minutes.
admin=/tmp/admin.properties
printf '%s\n' request.timeout.ms=5000 default.api.timeout.ms=10000 >"$admin"
cli=("$topics_cli" --bootstrap-server "$BOOTSTRAP_SERVERS"
  --command-config "$admin")

# The Job starts together with the brokers: wait for them, but not forever.
attempts=40
for ((attempt = 1; ; attempt++)); do
  if "${cli[@]}" --list >/dev/null 2>&1; then
    break
  fi
  if ((attempt >= attempts)); then
    echo "Kafka at $BOOTSTRAP_SERVERS is unreachable; giving up" >&2
    exit 1
  fi
  sleep 5
done

# The plan, $PARTITIONS resolved: "name partitions [configs]" per line.
planned=()
while read -r name partitions configs; do
  if [[ -z "$name" || "$name" == \#* ]]; then
    continue
  fi
  [[ "$partitions" == '$PARTITIONS' ]] && partitions=$PARTITIONS
  planned+=("$name $partitions ${configs:-}")
done <"$plan"

# What exists: "name count" from the summary line of each topic's description.
existing=$("${cli[@]}" --describe | awk '$1 == "Topic:" {
  for (i = 2; i < NF; i++) if ($i == "PartitionCount:") print $2, $(i + 1) }')
differ=0
for line in "${planned[@]}"; do
  read -r name partitions _ <<<"$line"
  actual=$(awk -v n="$name" '$1 == n {print $2}' <<<"$existing")
  if [[ -n "$actual" && "$actual" != "$partitions" ]]; then
    echo "topic $name has $actual partitions, but PARTITIONS asks $partitions" >&2
    differ=1
  fi
done
if ((differ)); then
  echo "The count is chosen once, before a contest, and cannot change during one:" \
    "set PARTITIONS back, or start the next contest on new topics (README.md," \
    "\"Partitions: fixed for a contest\"). Nothing was created." >&2
  exit 1
fi

for line in "${planned[@]}"; do
  read -r name partitions configs <<<"$line"
  args=(--create --if-not-exists --topic "$name" --partitions "$partitions"
    --replication-factor "$REPLICATION_FACTOR")
  if [[ -n "${configs:-}" ]]; then
    IFS=',' read -ra pairs <<<"$configs"
    for pair in "${pairs[@]}"; do
      args+=(--config "$pair")
    done
  fi
  "${cli[@]}" "${args[@]}"
  if [[ -n "${configs:-}" ]]; then
    "$configs_cli" --bootstrap-server "$BOOTSTRAP_SERVERS" --command-config "$admin" \
      --alter --entity-type topics --entity-name "$name" --add-config "$configs"
  fi
done

"${cli[@]}" --describe
