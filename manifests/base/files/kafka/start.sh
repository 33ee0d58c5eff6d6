#!/bin/bash
# Starts one KRaft node (broker and controller in one process) of the kafka
# StatefulSet. It bypasses the image's own entrypoint on purpose: that one
# writes into /opt/kafka/config (read-only here) and turns every KAFKA_*
# variable into a broker property, which is how a Service named "kafka"
# (KAFKA_PORT=tcp://...) breaks it. This script reads only the variables
# below.
set -euo pipefail

: "${POD_NAME:?}" "${POD_NAMESPACE:?}" "${CLUSTER_ID:?}"
: "${KAFKA_REPLICAS:?}" "${REPLICATION_FACTOR:?}" "${MIN_INSYNC_REPLICAS:?}"

# The StatefulSet ordinal (kafka-2 -> 2) is the node id, stable across
# restarts because the pod name is.
node_id="${POD_NAME##*-}"
# No cluster domain: the resolver search list adds it, whatever it is.
domain="kafka-headless.${POD_NAMESPACE}.svc"

# The FORWARD listener serves `kubectl port-forward` alone (`./quetzal k8s verify`, the recount
# from a laptop): it binds the pod's loopback, which no other pod can reach, and advertises
# 127.0.0.1:(forward_base + ordinal), the local port the forward of this pod must use, so a
# client outside the cluster is sent to the forwards and not to names it cannot resolve.
forward_base=19092
forward_port=$((forward_base + node_id))

# A static quorum: every node is a voter, named by its stable DNS name.
voters=""
for ((i = 0; i < KAFKA_REPLICAS; i++)); do
  voters+="${voters:+,}${i}@kafka-${i}.${domain}:9093"
done

config=/tmp/server.properties
cat >"$config" <<PROPERTIES
process.roles=broker,controller
node.id=${node_id}
controller.quorum.voters=${voters}
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://:9092,CONTROLLER://:9093,FORWARD://127.0.0.1:9094
advertised.listeners=PLAINTEXT://${POD_NAME}.${domain}:9092,FORWARD://127.0.0.1:${forward_port}
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,FORWARD:PLAINTEXT
log.dirs=/var/lib/kafka/data/kraft
auto.create.topics.enable=false
default.replication.factor=${REPLICATION_FACTOR}
min.insync.replicas=${MIN_INSYNC_REPLICAS}
offsets.topic.replication.factor=${REPLICATION_FACTOR}
transaction.state.log.replication.factor=${REPLICATION_FACTOR}
transaction.state.log.min.isr=${MIN_INSYNC_REPLICAS}
share.coordinator.state.topic.replication.factor=${REPLICATION_FACTOR}
share.coordinator.state.topic.min.isr=${MIN_INSYNC_REPLICAS}
PROPERTIES

# A fresh volume may hold lost+found, so the log dir is a subdirectory.
/opt/kafka/bin/kafka-storage.sh format --config "$config" \
  --cluster-id "$CLUSTER_ID" --ignore-formatted
exec /opt/kafka/bin/kafka-server-start.sh "$config"
