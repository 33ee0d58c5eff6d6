#!/bin/bash
# Declares the project's topics with the admin client (kafka-topics.sh), from
# topics.txt. Idempotent, as the devstack's TopicSetup: an existing topic keeps
# its partition count and gets the plan's configs (kafka-configs.sh), so the Job
# can run again on every apply and a config added to the plan reaches old topics.
set -euo pipefail

: "${BOOTSTRAP_SERVERS:?}" "${REPLICATION_FACTOR:?}"
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

while read -r name partitions configs; do
  if [[ -z "$name" || "$name" == \#* ]]; then
    continue
  fi
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
done <"$plan"

"${cli[@]}" --describe
