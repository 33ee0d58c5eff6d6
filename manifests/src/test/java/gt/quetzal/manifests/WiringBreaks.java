package gt.quetzal.manifests;

import static gt.quetzal.manifests.Breaks.Base.KEDA;
import static gt.quetzal.manifests.Breaks.Base.PROD;
import static gt.quetzal.manifests.Breaks.container;
import static gt.quetzal.manifests.Breaks.doc;
import static gt.quetzal.manifests.Breaks.env;
import static gt.quetzal.manifests.Breaks.envVar;
import static gt.quetzal.manifests.Breaks.local;
import static gt.quetzal.manifests.Breaks.on;
import static gt.quetzal.manifests.Breaks.podAnnotations;
import static gt.quetzal.manifests.Breaks.podSpec;
import static gt.quetzal.manifests.Breaks.removeEnv;
import static gt.quetzal.manifests.Breaks.replaceIn;
import static gt.quetzal.manifests.Breaks.setEnv;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rows of {@link BrokenCopiesTest}: environment, credentials, Ingress, policies, Kafka, Grafana, KEDA. */
final class WiringBreaks {

  private WiringBreaks() {}

  private static final String D = "Deployment/";
  private static final String S = "StatefulSet/";

  private static Map<String, Object> trigger(List<Map<String, Object>> docs) {
    return Yaml.cast(Yaml.at(doc(docs, "ScaledObject", "sinks"), "spec", "triggers", 0, "metadata"));
  }

  static final List<Breaks> ROWS = List.of(
      // ---- environment
      local("a missing Kafka address (the default is localhost)", docs -> removeEnv(docs, "Deployment", "sinks", "KAFKA_BOOTSTRAP_SERVERS"),
          D + "sinks container sinks: bootstrapServers resolves to localhost:9092 — in a pod that is the pod itself; set the variable that configures it"),
      local("a misspelled variable", docs -> envVar(docs, "StatefulSet", "streams-app", "KAFKA_BOOTSTRAP_SERVERS")
          .put("name", "KAFKA_BOOTSTRAP_SERVER"),
          S + "streams-app container streams-app: sets KAFKA_BOOTSTRAP_SERVER, which gt.quetzal.streams.runtime.StreamsAppConfig never reads (per EnvReader.consulted())"),
      local("a variable used before it is defined", docs -> {
        List<Object> env = env(docs, "Deployment", "web");
        Object password = env.stream().filter(e -> "REDIS_PASSWORD".equals(Yaml.cast(e).get("name"))).findFirst().orElseThrow();
        env.remove(password);
        env.add(password);
      }, D + "web container web REDIS_URL: $(REDIS_PASSWORD) is not defined before it, so the pod would get it verbatim"),
      local("a variable set twice, and envFrom", docs -> {
        env(docs, "Deployment", "web").add(new LinkedHashMap<>(Map.of("name", "HTTP_PORT", "value", "8088")));
        container(docs, "Deployment", "web").put("envFrom", List.of(Map.of("configMapRef", Map.of("name", "x"))));
      }, D + "web container web: envFrom is not used in this project (every variable is named, so each is checked)",
          D + "web container web: HTTP_PORT is set twice"),
      local("a command line using an unset variable", docs -> Yaml.list(container(docs, "StatefulSet", "redis").get("args")).add("$(NOPE)"),
          S + "redis container redis: the command line uses $(NOPE), which is not an env variable"),
      local("a missing Secret key", docs -> Yaml.cast(Yaml.at(envVar(docs, "Deployment", "sinks", "MONGO_PASSWORD"),
          "valueFrom", "secretKeyRef")).put("key", "pasword"), D + "sinks container sinks MONGO_PASSWORD: Secret mongodb-auth has no key pasword"),
      local("a missing Secret", docs -> docs.remove(doc(docs, "Secret", "grafana-admin")), D + "grafana container grafana GF_SECURITY_ADMIN_PASSWORD: Secret grafana-admin does not exist in broken"),
      local("a service refusing its environment", docs -> setEnv(docs, "Deployment", "sinks", "HTTP_PORT", "http"), D + "sinks container sinks: the service refuses this environment: sinks: HTTP_PORT=http is not an integer"),
      local("an address that is not a Service", docs -> setEnv(docs, "Deployment", "sinks", "KAFKA_BOOTSTRAP_SERVERS", "kafak-bootstrap:9092"),
          D + "sinks container sinks: KAFKA_BOOTSTRAP_SERVERS points at kafak-bootstrap, which is not a Service of this deployment"),
      local("an address on a port the Service lacks", docs -> setEnv(docs, "Deployment", "sinks", "KAFKA_BOOTSTRAP_SERVERS", "kafka-bootstrap:9093"),
          D + "sinks container sinks KAFKA_BOOTSTRAP_SERVERS: Service kafka-bootstrap has no port 9093"),
      local("streams state off its volume", docs -> setEnv(docs, "StatefulSet", "streams-app", "STATE_DIR", "/tmp/state"),
          S + "streams-app container streams-app: STATE_DIR /tmp/state is not on a volume claim template, so state dies with the pod"),
      local("a grace period shorter than the close timeout", docs -> podSpec(docs, "StatefulSet", "streams-app")
          .put("terminationGracePeriodSeconds", 2), S + "streams-app: terminationGracePeriodSeconds (2 s) must exceed preStop (0 s) plus the service's own shutdown budget (5000 ms)"),
      local("rate limiting off on a public ingest", docs -> removeEnv(docs, "Deployment", "ingest-http", "RATE_LIMIT_KEY"),
          D + "ingest-http: rate limiting is off (RATE_LIMIT_KEY unset or off); a public route needs it (docs/ingest.md)"),
      local("rate limiting without trusting the Ingress", docs -> removeEnv(docs, "Deployment", "ingest-grpc", "TRUSTED_PROXIES"), D + "ingest-grpc: TRUSTED_PROXIES is unset, so every client behind the Ingress shares Traefik's bucket; trust the pod CIDR Traefik runs in (docs/kubernetes.md)"),
      // ---- credentials
      local("a store URL with a literal password", docs -> setEnv(docs, "Deployment", "web", "MONGO_URI", "mongodb://quetzal:hunter2@mongodb:27017"),
          D + "web container web: the password in MONGO_URI must be $(VAR) with VAR from a secretKeyRef", D + "web .spec.template.spec.containers[0].env[7].value: a literal password in a URI (mongodb://***@)"),
      local("a store URL without credentials", docs -> setEnv(docs, "Deployment", "sinks", "REDIS_URL", "redis://redis:6379"),
          D + "sinks container sinks: REDIS_URL carries no password; compose it from a Secret, e.g. redis://:$(REDIS_PASSWORD)@redis:6379 "
              + "with REDIS_PASSWORD from a secretKeyRef"),
      local("a store URL from a ConfigMap", docs -> {
        Map<String, Object> uri = envVar(docs, "Deployment", "sinks", "REDIS_URL");
        uri.remove("value");
        uri.put("valueFrom", new LinkedHashMap<>(Map.of("configMapKeyRef", new LinkedHashMap<>(Map.of("name", "redis-config", "key", "redis.conf")))));
      }, D + "sinks container sinks: REDIS_URL must come from a secretKeyRef, not another source"),
      local("a password variable with a literal value", docs -> {
        Map<String, Object> password = envVar(docs, "Deployment", "web", "REDIS_PASSWORD");
        password.remove("valueFrom");
        password.put("value", "hunter2");
      }, D + "web container web: the password in REDIS_URL must be $(VAR) with VAR from a secretKeyRef", D + "web .spec.template.spec.containers[0].env[3]: REDIS_PASSWORD is a literal; take it from a secretKeyRef"),
      local("a Redis without a password", docs -> Yaml.list(container(docs, "StatefulSet", "redis").get("args"))
          .removeIf(a -> String.valueOf(a).contains("requirepass") || String.valueOf(a).contains("REDISCLI_AUTH")),
          S + "redis container redis: Redis must require a password: --requirepass $(VAR) with VAR from a secretKeyRef"),
      local("a literal Redis password on the command line and in its config", docs -> {
        Yaml.list(container(docs, "StatefulSet", "redis").get("args")).set(2, "hunter2");
        Map<String, Object> data = Breaks.configData(docs, "redis-config");
        data.put("redis.conf", data.get("redis.conf") + "requirepass hunter2\n");
      }, S + "redis .spec.template.spec.containers[0].args[2]: a literal password after --requirepass", "ConfigMap/redis-config .data.redis.conf: a literal password in a config file line"),
      local("a committed Secret not marked dev-only", docs -> Yaml.cast(doc(docs, "Secret", "redis-auth").get("metadata")).remove("annotations"),
          "Secret/redis-auth: a committed Secret must be marked quetzal.gt/dev-only: \"true\""),
      on(PROD, "a committed Secret in prod", docs -> {
        Map<String, Object> secret = new LinkedHashMap<>();
        secret.put("apiVersion", "v1");
        secret.put("kind", "Secret");
        secret.put("metadata", new LinkedHashMap<>(Map.of("name", "redis-auth", "namespace", "quetzal",
            "annotations", Map.of("quetzal.gt/dev-only", "true"))));
        secret.put("stringData", new LinkedHashMap<>(Map.of("password", "hunter2")));
        docs.add(secret);
      }, "Secret/redis-auth: this deployment expects its Secrets from outside; it must ship none"),
      // ---- Ingress
      local("a missing Ingress backend", docs -> Yaml.cast(Yaml.at(doc(docs, "Ingress", "quetzal"),
          "spec", "rules", 0, "http", "paths", 2, "backend", "service")).put("name", "grafna"),
          "Ingress/quetzal /grafana: backend Service grafna does not exist"),
      local("an Ingress on another class, gRPC unrouted", docs -> {
        Map<String, Object> spec = Yaml.cast(doc(docs, "Ingress", "quetzal").get("spec"));
        spec.put("ingressClassName", "nginx");
        Yaml.cast(Yaml.at(spec, "rules", 0, "http", "paths", 1, "backend", "service", "port")).put("name", "grcp");
      }, "Ingress/quetzal: ingressClassName must be traefik (k3s's controller; ingress-nginx is retired)",
          "Ingress/quetzal /quetzal.v1.VoteService: Service ingest-grpc has no port grcp",
          "Ingress/quetzal: no route to a gRPC backend"),
      local("a gRPC route on the wrong path", docs -> Yaml.cast(Yaml.at(doc(docs, "Ingress", "quetzal"), "spec", "rules", 0, "http", "paths", 1))
          .put("path", "/grpc"), "Ingress/quetzal: the gRPC route must be /quetzal.v1.VoteService (the proto's service), not /grpc"),
      local("a gRPC route without h2c", docs -> Yaml.cast(Yaml.at(doc(docs, "Service", "ingest-grpc"), "metadata")).remove("annotations"),
          "Service/ingest-grpc: gRPC backends need the annotation traefik.ingress.kubernetes.io/service.serversscheme: h2c"),
      local("an Ingress route to an ops port", docs -> {
        Map<String, Object> ops = new LinkedHashMap<>(Map.of("name", "ops", "port", 8089, "targetPort", "ops"));
        Yaml.list(Yaml.at(doc(docs, "Service", "web"), "spec", "ports")).add(ops);
        Yaml.cast(Yaml.at(doc(docs, "Ingress", "quetzal"), "spec", "rules", 0, "http", "paths", 3, "backend", "service", "port"))
            .put("name", "ops");
      }, "Ingress/quetzal /: routes to Service web port ops, an operational port",
          "Ingress/quetzal /: routes to Deployment/web container port ops, an operational port",
          "Ingress/quetzal /: routes to Deployment/web port 8089, where gt.quetzal.web.WebConfig serves /metrics; "
              + "set OPS_PORT to a port the Ingress does not route"),
      local("an Ingress route to the streams app", docs -> Yaml.cast(Yaml.at(doc(docs, "Ingress", "quetzal"),
          "spec", "rules", 0, "http", "paths", 2, "backend", "service")).put("name", "streams-app"), "Ingress/quetzal /grafana: routes to StatefulSet/streams-app, which is internal (public are " + Wiring.PUBLIC_WORKLOADS + ")",
          "Ingress/quetzal /grafana: routes to StatefulSet/streams-app port 8081, where gt.quetzal.streams.runtime.StreamsAppConfig serves /metrics; "
              + "set OPS_PORT to a port the Ingress does not route",
          "Ingress/quetzal /grafana: the network policies do not let Traefik (kube-system) reach StatefulSet/streams-app on port 8081"),
      // ---- autoscaling
      local("an autoscaler on a missing target", docs -> Yaml.cast(Yaml.at(doc(docs, "HorizontalPodAutoscaler", "sinks"), "spec", "scaleTargetRef"))
          .put("name", "sink"), "HorizontalPodAutoscaler/sinks: scaleTargetRef Deployment/sink does not exist"),
      local("an autoscaler fighting replicas, with no CPU request", docs -> {
        Yaml.cast(doc(docs, "HorizontalPodAutoscaler", "sinks").get("spec")).put("minReplicas", 0);
        Yaml.cast(doc(docs, "Deployment", "sinks").get("spec")).put("replicas", 2);
        Yaml.cast(Yaml.at(container(docs, "Deployment", "sinks"), "resources", "requests")).remove("cpu");
      }, "HorizontalPodAutoscaler/sinks: need 1 <= minReplicas <= maxReplicas",
          "Deployment/sinks: drop spec.replicas, the HPA owns it (every apply would reset it)",
          "HorizontalPodAutoscaler/sinks: scales on CPU but sinks has no CPU request",
          D + "sinks container sinks: needs both a cpu request and limit"),
      // ---- network policies
      local("a client left out of the Kafka policy", docs -> Yaml.list(Yaml.at(doc(docs, "NetworkPolicy", "kafka"),
          "spec", "ingress", 0, "from", 0, "podSelector", "matchExpressions", 0, "values")).remove("sinks"),
          D + "sinks container sinks KAFKA_BOOTSTRAP_SERVERS: the network policies do not let Deployment/sinks reach StatefulSet/kafka on port 9092"),
      local("policies naming pods that do not exist", docs -> {
        Map<String, Object> kafka = doc(docs, "NetworkPolicy", "kafka");
        Yaml.list(Yaml.at(kafka, "spec", "ingress", 0, "from", 0, "podSelector", "matchExpressions", 0, "values")).add("sink");
        Yaml.cast(Yaml.at(kafka, "spec", "ingress", 1, "from", 0, "podSelector", "matchLabels")).put(Wiring.NAME, "kafak");
        Yaml.list(Yaml.at(kafka, "spec", "ingress", 1, "ports")).add(new LinkedHashMap<>(Map.of("port", 9999)));
        Yaml.cast(Yaml.at(doc(docs, "NetworkPolicy", "redis"), "spec", "podSelector", "matchLabels")).put(Wiring.NAME, "rediss");
      }, "NetworkPolicy/kafka: admits app.kubernetes.io/name=sink, which no pod has",
          "NetworkPolicy/kafka: a from.podSelector matches no pods in the namespace",
          "NetworkPolicy/kafka: port 9999 is not a container port of any pod it selects",
          "NetworkPolicy/redis: its podSelector matches no pods"),
      // ---- Kafka
      local("more brokers than voters", docs -> Yaml.cast(doc(docs, "StatefulSet", "kafka").get("spec")).put("replicas", 3),
          "StatefulSet/kafka: KAFKA_REPLICAS=1 must equal spec.replicas=3 (every pod is a controller voter)"),
      local("a replication factor above the brokers, and the topic Job on another", docs -> setEnv(docs, "StatefulSet", "kafka",
          "REPLICATION_FACTOR", "2"), "StatefulSet/kafka: REPLICATION_FACTOR=2 must be within 1..1",
          "Job/kafka-topics: REPLICATION_FACTOR=1 must equal the brokers' 2"),
      local("a min ISR equal to a replication factor above one", docs -> {
        Yaml.cast(doc(docs, "StatefulSet", "kafka").get("spec")).put("replicas", 3);
        setEnv(docs, "StatefulSet", "kafka", "KAFKA_REPLICAS", "3");
        setEnv(docs, "StatefulSet", "kafka", "REPLICATION_FACTOR", "3");
        setEnv(docs, "StatefulSet", "kafka", "MIN_INSYNC_REPLICAS", "3");
        setEnv(docs, "Job", "kafka-topics", "REPLICATION_FACTOR", "3");
      }, "StatefulSet/kafka: MIN_INSYNC_REPLICAS=3 must be below REPLICATION_FACTOR=3 (or 1 on one node), or one broker down stops all writes"),
      local("a min ISR that is not a number", docs -> setEnv(docs, "StatefulSet", "kafka", "MIN_INSYNC_REPLICAS", "one"),
          "StatefulSet/kafka: MIN_INSYNC_REPLICAS must be an integer, got one",
          "StatefulSet/kafka: MIN_INSYNC_REPLICAS=-1 must be below REPLICATION_FACTOR=1 (or 1 on one node), or one broker down stops all writes"),
      local("a cluster id of the wrong length", docs -> setEnv(docs, "StatefulSet", "kafka", "CLUSTER_ID", "cXVldHphbA"),
          "StatefulSet/kafka: CLUSTER_ID must encode 16 bytes (kafka-storage.sh random-uuid)"),
      local("a cluster id that is not base64", docs -> setEnv(docs, "StatefulSet", "kafka", "CLUSTER_ID", "not base64!"),
          "StatefulSet/kafka: CLUSTER_ID is not URL-safe base64"),
      local("a heap too close to the limit", docs -> setEnv(docs, "StatefulSet", "kafka", "KAFKA_HEAP_OPTS", "-Xms900m -Xmx900m"),
          "StatefulSet/kafka: heap -Xmx900m is more than 75% of the memory limit 1Gi", "StatefulSet/kafka container kafka: memory limit 1024 MiB is below what the JVM takes: heap 900 + RocksDB 0 + metaspace 80"
              + " + code cache 48 + 100 threads × 1 + headroom 102 = 1230 MiB; lower the heap or ROCKSDB_CACHE_BYTES, or raise the limit"),
      local("a heap without -Xmx", docs -> setEnv(docs, "StatefulSet", "kafka", "KAFKA_HEAP_OPTS", "-Xms512m"),
          "StatefulSet/kafka: KAFKA_HEAP_OPTS needs an -Xmx and the container a memory limit"),
      local("a script variable nobody reads, and one it requires unset", docs -> {
        Breaks.addEnv(docs, "StatefulSet", "kafka", "KAFKA_REPLICA", "1");
        removeEnv(docs, "Job", "kafka-topics", "BOOTSTRAP_SERVERS");
      }, "StatefulSet/kafka: sets KAFKA_REPLICA, which neither start.sh nor Kafka's launcher reads",
          "Job/kafka-topics: create-topics.sh requires BOOTSTRAP_SERVERS, which is not set"),
      on(PROD, "prod without a partition count", docs -> removeEnv(docs, "Job", "kafka-topics", "PARTITIONS"),
          "Job/kafka-topics: create-topics.sh requires PARTITIONS, which is not set"),
      local("a partition count out of range", docs -> setEnv(docs, "Job", "kafka-topics", "PARTITIONS", "0"),
          "Job/kafka-topics: PARTITIONS=0 must be an integer within 1..64 (TopicSetup.MAX_PARTITIONS)"),
      on(PROD, "a topic plan that disagrees with the devstack's", docs -> {
        replaceIn(docs, "kafka-scripts", "topics.txt", "votes.raw $PARTITIONS", "votes.raw 3");
        replaceIn(docs, "kafka-scripts", "topics.txt", "votes.rejected 1\n", "");
        replaceIn(docs, "kafka-scripts", "topics.txt", "contest.catalog 1", "votes.extra 1\ncontest.catalog 1");
      }, "ConfigMap/kafka-scripts topics.txt: votes.raw has 3 partitions {message.timestamp.type=LogAppendTime} where "
              + "TopicSetup.plan(6) has 6 {message.timestamp.type=LogAppendTime}",
          "ConfigMap/kafka-scripts topics.txt: no line for votes.rejected, which TopicSetup.plan(6) declares",
          "ConfigMap/kafka-scripts topics.txt: votes.extra is not in TopicSetup.plan(6)"),
      local("an unreadable topic plan line", docs -> replaceIn(docs, "kafka-scripts", "topics.txt",
          "votes.accepted $PARTITIONS", "votes.accepted many"),
          "ConfigMap/kafka-scripts topics.txt: \"votes.accepted many\" is not: name partitions|$PARTITIONS [config=value,...]"),
      local("a topic Job without its plan", docs -> Breaks.configData(docs, "kafka-scripts").remove("topics.txt"),
          "ConfigMap/kafka-scripts: no topics.txt, the plan create-topics.sh reads"),
      local("a Service named kafka", docs -> {
        Map<String, Object> svc = Yaml.copy(doc(docs, "Service", "kafka-bootstrap"));
        Yaml.cast(svc.get("metadata")).put("name", "kafka");
        docs.add(svc);
      }, "Service/kafka: a Service named kafka injects KAFKA_PORT=tcp://... into pods; rename it"),
      // ---- Grafana
      local("a dashboard on another datasource", docs -> replaceIn(docs, "grafana-datasources", "redis.yaml", "uid: quetzal-redis", "uid: other"),
          D + "grafana: /var/lib/grafana/dashboards/quetzal/quetzal.json refers to datasource uid quetzal-redis, but provisioning defines [other, quetzal-prometheus]"),
      local("a provisioning variable the container does not set", docs -> removeEnv(docs, "Deployment", "grafana", "REDIS_PASSWORD"),
          D + "grafana: /etc/grafana/provisioning/datasources/redis.yaml interpolates $REDIS_PASSWORD, which the container does not set"),
      local("a plugin neither installed nor in the image", docs -> removeEnv(docs, "Deployment", "grafana", "GF_PLUGINS_PREINSTALL_SYNC"),
          "Deployment/grafana: the redis-datasource plugin is provisioned but neither installed (GF_PLUGINS_PREINSTALL_SYNC) nor in the image "
              + "(" + GrafanaVersions.OFFLINE_REPOSITORY + ")"),
      local("a refresh below Grafana's minimum", docs -> setEnv(docs, "Deployment", "grafana", "GF_DASHBOARDS_MIN_REFRESH_INTERVAL", "30s"),
          D + "grafana: /var/lib/grafana/dashboards/quetzal/quetzal-ops.json refreshes every PT15S, below GF_DASHBOARDS_MIN_REFRESH_INTERVAL PT30S, so Grafana would slow it down"),
      local("a home dashboard that is not mounted", docs -> setEnv(docs, "Deployment", "grafana", "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH",
          "/var/lib/grafana/dashboards/quetzal/home.json"),
          "Deployment/grafana: GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH /var/lib/grafana/dashboards/quetzal/home.json is not a mounted file"),
      local("a datasource url that is not a Service", docs -> replaceIn(docs, "grafana-datasources", "redis.yaml", "redis:6379", "rediss:6379"),
          D + "grafana: datasource quetzal-redis url redis://rediss:6379 is not a Service of this deployment"),
      // ---- metrics scraping
      local("a scrape port off the metrics port", docs -> podAnnotations(docs, "Deployment", "web").put(MetricsScraping.PORT, "8088"),
          D + "web pod template: prometheus.io/port is 8088, but web serves /metrics on 8089"),
      local("a metrics port the policies close", docs -> Yaml.list(Yaml.at(doc(docs, "NetworkPolicy", "metrics-from-prometheus"),
          "spec", "podSelector", "matchExpressions", 0, "values")).remove("streams-app"), "the network policies do not let Deployment/prometheus reach StatefulSet/streams-app on its metrics port 8081"),
      // ---- KEDA
      on(KEDA, "a wrong KEDA consumer group", docs -> trigger(docs).put("consumerGroup", "quetzal-sink-redis"), "ScaledObject/sinks: consumerGroup quetzal-sink-redis is not one the sinks use [quetzal-sinks-mongo, quetzal-sinks-redis]",
          "ScaledObject/sinks: must watch the lag of every sink group [quetzal-sinks-mongo, quetzal-sinks-redis], watches [quetzal-sink-redis, quetzal-sinks-mongo]"),
      on(KEDA, "a KEDA target that does not exist", docs -> Yaml.cast(Yaml.at(doc(docs, "ScaledObject", "sinks"), "spec", "scaleTargetRef"))
          .put("name", "sink"), "ScaledObject/sinks: scaleTargetRef Deployment/sink does not exist"),
      on(KEDA, "a KEDA bootstrap host that is not a Service, or unqualified", docs -> trigger(docs).put("bootstrapServers", "kafka-bootstrap:9092"),
          "ScaledObject/sinks: KEDA runs in its own namespace; qualify kafka-bootstrap with the namespace quetzal"),
      on(KEDA, "a KEDA bootstrap host that is no Service", docs -> trigger(docs).put("bootstrapServers", "kafak.quetzal:9092"),
          "ScaledObject/sinks: bootstrapServers host kafak.quetzal is not a Service"),
      on(KEDA, "a KEDA target that keeps its HPA", docs -> {
        Map<String, Object> hpa = new LinkedHashMap<>();
        hpa.put("apiVersion", "autoscaling/v2");
        hpa.put("kind", "HorizontalPodAutoscaler");
        hpa.put("metadata", new LinkedHashMap<>(Map.of("name", "sinks", "namespace", "quetzal")));
        hpa.put("spec", new LinkedHashMap<>(Map.of("minReplicas", 1, "maxReplicas", 3, "scaleTargetRef",
            new LinkedHashMap<>(Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", "sinks")))));
        docs.add(hpa);
      }, "ScaledObject/sinks: sinks also has its own HPA; KEDA's would fight it"),
      // ---- the contest tool
      local("an ingest grace period below its real shutdown", docs -> {
        // 30 s covered preStop + the old 10 s drain, not the drain that outlasts the publish timeout (14 s)
        // plus the producer's flush and close (19 s)
        podSpec(docs, "Deployment", "ingest-http").put("terminationGracePeriodSeconds", 30);
        podSpec(docs, "Deployment", "ingest-grpc").put("terminationGracePeriodSeconds", 30);
      }, D + "ingest-http: terminationGracePeriodSeconds (30 s) must exceed preStop (5 s) plus the service's own shutdown budget (33000 ms)",
          D + "ingest-grpc: terminationGracePeriodSeconds (30 s) must exceed preStop (5 s) plus the service's own shutdown budget (34000 ms)"),
      local("rate limiting switched off by value", docs -> setEnv(docs, "Deployment", "ingest-grpc", "RATE_LIMIT_KEY", "off"),
          D + "ingest-grpc: rate limiting is off (RATE_LIMIT_KEY unset or off); a public route needs it (docs/ingest.md)"),
      local("an ambiguous catalog", docs -> Breaks.configData(docs, "contest-catalog").put("catalog.json",
          "{\"contest\":\"x\",\"bands\":[{\"name\":\"A\",\"albums\":[{\"title\":\"U\",\"year\":1}]},"
              + "{\"name\":\" a\",\"albums\":[{\"title\":\"V\",\"year\":1}]}]}"),
          "Job/contest-catalog container contest-catalog: the contest tool refuses /etc/quetzal/catalog/catalog.json: …"),
      local("a catalog the contest tool refuses", docs -> Breaks.configData(docs, "contest-catalog").put("catalog.json", "{\"bands\": ["),
          "Job/contest-catalog container contest-catalog: the contest tool refuses /etc/quetzal/catalog/catalog.json: …"),
      local("a catalog Job with the wrong args", docs -> container(docs, "Job", "contest-catalog").put("args", List.of("apply")),
          "Job/contest-catalog container contest-catalog: args must be [apply, FILE|none], got [apply]"),
      local("a catalog Job pointed at a file that is not mounted", docs -> container(docs, "Job", "contest-catalog")
          .put("args", List.of("apply", "/etc/quetzal/catalog/contest.json")),
          "Job/contest-catalog container contest-catalog: /etc/quetzal/catalog/contest.json is not a file of a mounted ConfigMap"),
      // ---- more wiring
      local("a governing Service that selects other pods", docs -> Yaml.cast(Yaml.at(doc(docs, "Service", "redis-headless"), "spec", "selector"))
          .put(Wiring.NAME, "mongodb"), "StatefulSet/redis: its governing Service redis-headless does not select its pods"),
      local("a volume from a missing Secret", docs -> Yaml.list(podSpec(docs, "StatefulSet", "redis").get("volumes"))
          .add(new LinkedHashMap<>(Map.of("name", "auth", "secret", new LinkedHashMap<>(Map.of("secretName", "redis-authh"))))),
          "StatefulSet/redis volume auth: Secret redis-authh does not exist"),
      local("a command on a service that runs its image's entrypoint", docs -> container(docs, "Deployment", "web").put("command", List.of("java")),
          D + "web container web: runs the image's own entrypoint (gt.quetzal.web.WebMain), so set no command"),
      local("a broker not running its script", docs -> container(docs, "StatefulSet", "kafka").put("command", List.of("/bin/sh")),
          "StatefulSet/kafka: expected to run one of the scripts in ConfigMap kafka-scripts"),
      local("odd valueFroms", docs -> {
        Yaml.cast(Yaml.at(envVar(docs, "Deployment", "sinks", "POD_NAME"), "valueFrom", "fieldRef")).put("fieldPath", "metadata.uid");
        Map<String, Object> port = envVar(docs, "Deployment", "web", "HTTP_PORT");
        port.remove("value");
        port.put("valueFrom", new LinkedHashMap<>(Map.of("configMapKeyRef", new LinkedHashMap<>(Map.of("name", "redis-config", "key", "nope")))));
        Map<String, Object> ops = envVar(docs, "Deployment", "web", "OPS_PORT");
        ops.remove("value");
        ops.put("valueFrom", new LinkedHashMap<>());
      }, D + "sinks container sinks POD_NAME: unexpected fieldRef metadata.uid",
          D + "web container web HTTP_PORT: ConfigMap redis-config with key nope does not exist",
          D + "web container web OPS_PORT: an empty valueFrom"),
      local("a scrape path off /metrics", docs -> podAnnotations(docs, "Deployment", "sinks").put(MetricsScraping.PATH, "/metric"),
          D + "sinks pod template: prometheus.io/path must be /metrics"),
      local("Prometheus not scraping by annotation, closed to Grafana", docs -> {
        replaceIn(docs, "prometheus-config", "prometheus.yml", "__meta_kubernetes_pod_annotation_prometheus_io_scrape", "__meta_scrape");
        Yaml.cast(Yaml.at(doc(docs, "NetworkPolicy", "prometheus"), "spec", "ingress", 0, "from", 0, "podSelector", "matchLabels"))
            .put(Wiring.NAME, "grafna");
      }, "ConfigMap prometheus-config does not scrape pods by their prometheus.io annotations",
          "the network policies do not let Grafana query Deployment/prometheus on 9090"),
      local("a Grafana image without a registry, and two registries", docs -> {
        container(docs, "Deployment", "grafana").put("image", "quetzal/grafana:12.4.0");
        container(docs, "Deployment", "web").put("image", "registry.example/quetzal/web:0.1.0-SNAPSHOT");
      }, "Deployment/grafana container grafana: image quetzal/grafana:12.4.0 resolves to docker.io/quetzal/grafana:12.4.0; "
              + "prefix it with localhost/ or a registry",
          "the service images come from several registries [localhost, registry.example]; an images: entry is missing for some module"),
      local("Grafana with no datasource and no dashboard provider", docs -> {
        Breaks.configData(docs, "grafana-datasources").clear();
        Breaks.configData(docs, "grafana-dashboard-providers").clear();
      }, "Deployment/grafana: no datasource is provisioned under /etc/grafana/provisioning/datasources/",
          "Deployment/grafana: no dashboard provider under /etc/grafana/provisioning/dashboards/",
          "Deployment/grafana: the dashboard providers read [], where no dashboard is mounted"));
}
