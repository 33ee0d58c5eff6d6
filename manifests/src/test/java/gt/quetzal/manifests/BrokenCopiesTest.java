package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Proof that the checks can fail: each test breaks one thing in a copy of the rendered local overlay
 * (or prod), the way a careless edit would, and expects the specific problem to be reported.
 */
class BrokenCopiesTest {

  private static List<Map<String, Object>> renderedLocal() {
    List<Map<String, Object>> docs = new ArrayList<>();
    Kustomize.build(Repo.manifests().resolve(Deployments.LOCAL)).forEach(d -> docs.add(Yaml.copy(d)));
    return docs;
  }

  private static List<String> problemsAfter(Consumer<List<Map<String, Object>>> breakIt) {
    List<Map<String, Object>> docs = renderedLocal();
    breakIt.accept(docs);
    return Wiring.check(Rendered.of("broken", docs, Set.of()));
  }

  private static Map<String, Object> doc(List<Map<String, Object>> docs, String kind, String name) {
    return docs.stream()
        .filter(d -> kind.equals(d.get("kind")) && name.equals(Yaml.at(d, "metadata", "name")))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
  }

  private static Map<String, Object> container(List<Map<String, Object>> docs, String kind, String name) {
    return Yaml.cast(Yaml.at(doc(docs, kind, name), "spec", "template", "spec", "containers", 0));
  }

  private static List<Object> env(List<Map<String, Object>> docs, String kind, String name) {
    return Yaml.list(container(docs, kind, name).get("env"));
  }

  private static Map<String, Object> envVar(List<Map<String, Object>> docs, String kind, String name, String var) {
    return env(docs, kind, name).stream().map(Yaml::cast)
        .filter(e -> var.equals(e.get("name"))).findFirst().orElseThrow();
  }

  @Test
  void theUnbrokenCopyHasNoProblem() {
    assertThat(problemsAfter(docs -> {})).isEmpty();
  }

  @Test
  void aWrongServiceSelectorIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(doc(docs, "Service", "ingest-http"), "spec", "selector"))
        .put(Wiring.NAME, "ingest-htpp")))
        .anySatisfy(p -> assertThat(p).contains("Service/ingest-http: its selector").contains("matches no pod template"))
        // ...and the Ingress route through it is now dead too.
        .isNotEmpty();
  }

  @Test
  void aMisspelledFieldIsCaught() {
    assertThat(problemsAfter(docs -> {
      Map<String, Object> c = container(docs, "Deployment", "sinks");
      c.put("imagePulPolicy", c.remove("imagePullPolicy"));
    })).anySatisfy(p -> assertThat(p).contains("unknown field spec.template.spec.containers[0].imagePulPolicy"));
  }

  @Test
  void aMissingKafkaAddressIsCaughtBecauseTheDefaultIsLocalhost() {
    assertThat(problemsAfter(docs -> env(docs, "Deployment", "sinks")
        .removeIf(e -> "KAFKA_BOOTSTRAP_SERVERS".equals(Yaml.cast(e).get("name")))))
        .anySatisfy(p -> assertThat(p).contains("Deployment/sinks container sinks: bootstrapServers resolves to localhost:9092"));
  }

  @Test
  void aMissingApplicationServerIsCaught() {
    assertThat(problemsAfter(docs -> env(docs, "StatefulSet", "streams-app")
        .removeIf(e -> "APPLICATION_SERVER".equals(Yaml.cast(e).get("name")))))
        .anySatisfy(p -> assertThat(p).contains("applicationServer resolves to localhost:8081"));
  }

  @Test
  void aMisspelledVariableIsCaughtAsUnread() {
    assertThat(problemsAfter(docs -> envVar(docs, "StatefulSet", "streams-app", "KAFKA_BOOTSTRAP_SERVERS")
        .put("name", "KAFKA_BOOTSTRAP_SERVER")))
        .anySatisfy(p -> assertThat(p).contains("sets KAFKA_BOOTSTRAP_SERVER, which gt.quetzal.streams.StreamsAppConfig never reads"));
  }

  @Test
  void aVariableUsedBeforeItIsDefinedIsCaught() {
    assertThat(problemsAfter(docs -> {
      List<Object> env = env(docs, "Deployment", "web");
      Object password = env.stream().filter(e -> "REDIS_PASSWORD".equals(Yaml.cast(e).get("name"))).findFirst().orElseThrow();
      env.remove(password);
      env.add(password);
    })).anySatisfy(p -> assertThat(p).contains("$(REDIS_PASSWORD) is not defined before it"));
  }

  @Test
  void aWrongTargetPortIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(doc(docs, "Service", "web"), "spec", "ports", 0))
        .put("targetPort", "htp")))
        .anySatisfy(p -> assertThat(p).contains("Service/web port 8088: targetPort htp is not a container port"));
  }

  @Test
  void aWrongProbePortIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(container(docs, "Deployment", "sinks"), "readinessProbe", "httpGet"))
        .put("port", "metrics")))
        .anySatisfy(p -> assertThat(p).contains("readinessProbe: port metrics is not a port of the container"));
  }

  @Test
  void aMissingSecretKeyIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(envVar(docs, "Deployment", "sinks", "MONGO_PASSWORD"),
        "valueFrom", "secretKeyRef")).put("key", "pasword")))
        .anySatisfy(p -> assertThat(p).contains("Secret mongodb-auth has no key pasword"));
  }

  @Test
  void aMissingSecretIsCaught() {
    assertThat(problemsAfter(docs -> docs.remove(doc(docs, "Secret", "grafana-admin"))))
        .anySatisfy(p -> assertThat(p).contains("Secret grafana-admin does not exist"));
  }

  @Test
  void aMissingIngressBackendIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(doc(docs, "Ingress", "quetzal"),
        "spec", "rules", 0, "http", "paths", 2, "backend", "service")).put("name", "grafna")))
        .anySatisfy(p -> assertThat(p).contains("backend Service grafna does not exist"));
  }

  @Test
  void aGrpcRouteWithoutH2cIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(doc(docs, "Service", "ingest-grpc"), "metadata"))
        .remove("annotations")))
        .anySatisfy(p -> assertThat(p).contains("gRPC backends need the annotation"));
  }

  @Test
  void aClientLeftOutOfTheKafkaPolicyIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.list(Yaml.at(doc(docs, "NetworkPolicy", "kafka"),
        "spec", "ingress", 0, "from", 0, "podSelector", "matchExpressions", 0, "values")).remove("sinks")))
        .anySatisfy(p -> assertThat(p).contains("do not let Deployment/sinks reach StatefulSet/kafka on port 9092"));
  }

  @Test
  void aWrongImageIsCaught() {
    assertThat(problemsAfter(docs -> container(docs, "Deployment", "sinks").put("image", "localhost/quetzal/sinks:0.0.9")))
        .anySatisfy(p -> assertThat(p).contains("image must be localhost/quetzal/sinks:"));
  }

  @Test
  void aGrpcContainerStartingTheWrongMainIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.list(container(docs, "Deployment", "ingest-grpc").get("command"))
        .set(3, "gt.quetzal.ingest.http.IngestHttpMain")))
        .anySatisfy(p -> assertThat(p).contains("must run [java, -cp, @/app/jib-classpath-file, gt.quetzal.ingest.grpc.IngestGrpcMain]"));
  }

  @Test
  void moreBrokersThanVotersIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(doc(docs, "StatefulSet", "kafka").get("spec")).put("replicas", 3)))
        .anySatisfy(p -> assertThat(p).contains("KAFKA_REPLICAS=1 must equal spec.replicas=3"));
  }

  @Test
  void aServiceNamedKafkaIsCaught() {
    assertThat(problemsAfter(docs -> {
      Map<String, Object> svc = Yaml.copy(doc(docs, "Service", "kafka-bootstrap"));
      Yaml.cast(svc.get("metadata")).put("name", "kafka");
      docs.add(svc);
    })).anySatisfy(p -> assertThat(p).contains("a Service named kafka injects KAFKA_PORT"));
  }

  @Test
  void aWritableRootFilesystemIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(container(docs, "StatefulSet", "redis").get("securityContext"))
        .put("readOnlyRootFilesystem", false)))
        .anySatisfy(p -> assertThat(p).contains("StatefulSet/redis container redis: set readOnlyRootFilesystem: true"));
  }

  @Test
  void aDashboardOnAnotherDatasourceIsCaught() {
    assertThat(problemsAfter(docs -> {
      Map<String, Object> data = Yaml.cast(doc(docs, "ConfigMap", "grafana-datasources").get("data"));
      data.put("redis.yaml", String.valueOf(data.get("redis.yaml")).replace("uid: quetzal-redis", "uid: other"));
    })).anySatisfy(p -> assertThat(p).contains("refers to datasource uid quetzal-redis, but provisioning defines [other, quetzal-prometheus]"));
  }

  @Test
  void aProvisioningVariableTheContainerDoesNotSetIsCaught() {
    assertThat(problemsAfter(docs -> env(docs, "Deployment", "grafana")
        .removeIf(e -> "REDIS_PASSWORD".equals(Yaml.cast(e).get("name")))))
        .anySatisfy(p -> assertThat(p).contains("interpolates $REDIS_PASSWORD, which the container does not set"));
  }

  @Test
  void streamsStateOffItsVolumeIsCaught() {
    assertThat(problemsAfter(docs -> envVar(docs, "StatefulSet", "streams-app", "STATE_DIR").put("value", "/tmp/state")))
        .anySatisfy(p -> assertThat(p).contains("STATE_DIR /tmp/state is not on a volume claim template"));
  }

  @Test
  void aGracePeriodShorterThanTheCloseTimeoutIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(doc(docs, "StatefulSet", "streams-app"), "spec", "template", "spec"))
        .put("terminationGracePeriodSeconds", 2)))
        .anySatisfy(p -> assertThat(p).contains("StatefulSet/streams-app: terminationGracePeriodSeconds (2 s) must exceed"));
  }

  @Test
  void anIngestGracePeriodBelowItsRealShutdownIsCaught() {
    // 30 s covered preStop + the old 10 s drain, but not the drain that outlasts the publish timeout
    // (14 s) plus the producer's flush and close (19 s)
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(doc(docs, "Deployment", "ingest-http"), "spec", "template", "spec"))
        .put("terminationGracePeriodSeconds", 30)))
        .anySatisfy(p -> assertThat(p).contains("Deployment/ingest-http: terminationGracePeriodSeconds (30 s) must exceed")
            .contains("(33000 ms)"));
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(doc(docs, "Deployment", "ingest-grpc"), "spec", "template", "spec"))
        .put("terminationGracePeriodSeconds", 30)))
        .anySatisfy(p -> assertThat(p).contains("Deployment/ingest-grpc: terminationGracePeriodSeconds (30 s) must exceed"));
  }

  @Test
  void rateLimitingOffOnAPublicIngestIsCaught() {
    assertThat(problemsAfter(docs -> env(docs, "Deployment", "ingest-http")
        .removeIf(e -> "RATE_LIMIT_KEY".equals(Yaml.cast(e).get("name")))))
        .anySatisfy(p -> assertThat(p).contains("Deployment/ingest-http: rate limiting is off"));
    assertThat(problemsAfter(docs -> envVar(docs, "Deployment", "ingest-grpc", "RATE_LIMIT_KEY").put("value", "off")))
        .anySatisfy(p -> assertThat(p).contains("Deployment/ingest-grpc: rate limiting is off"));
  }

  @Test
  void rateLimitingWithoutTrustingTheIngressIsCaught() {
    assertThat(problemsAfter(docs -> env(docs, "Deployment", "ingest-grpc")
        .removeIf(e -> "TRUSTED_PROXIES".equals(Yaml.cast(e).get("name")))))
        .anySatisfy(p -> assertThat(p).contains("Deployment/ingest-grpc: TRUSTED_PROXIES is unset"));
  }

  @Test
  void anAutoscalerOnAMissingTargetIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(doc(docs, "HorizontalPodAutoscaler", "sinks"), "spec", "scaleTargetRef"))
        .put("name", "sink")))
        .anySatisfy(p -> assertThat(p).contains("scaleTargetRef Deployment/sink does not exist"));
  }

  @Test
  void aScriptMissingFromItsConfigMapIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.list(container(docs, "StatefulSet", "kafka").get("command"))
        .set(1, "/etc/quetzal/kafka/strat.sh")))
        .anySatisfy(p -> assertThat(p).contains("/etc/quetzal/kafka/strat.sh is not a key of ConfigMap kafka-scripts"));
  }

  @Test
  void aMissingLabelAndAnOverEagerSelectorAreCaught() {
    assertThat(problemsAfter(docs -> {
      Map<String, Object> web = doc(docs, "Deployment", "web");
      Yaml.cast(Yaml.at(web, "spec", "template", "metadata", "labels")).remove("app.kubernetes.io/component");
      Yaml.cast(Yaml.at(web, "spec", "selector", "matchLabels")).put("app.kubernetes.io/version", "0.1.0-SNAPSHOT");
    }))
        .anySatisfy(p -> assertThat(p).contains("Deployment/web pod template: label app.kubernetes.io/component is missing"))
        .anySatisfy(p -> assertThat(p).contains("Deployment/web: the selector must use exactly"));
  }

  @Test
  void aBrokenOrAmbiguousCatalogIsRefusedAsTheContestToolWouldRefuseIt() {
    assertThat(problemsAfter(docs -> Yaml.cast(doc(docs, "ConfigMap", "contest-catalog").get("data"))
        .put("catalog.json", "{\"bands\": [")))
        .anySatisfy(p -> assertThat(p).contains("Job/contest-catalog container contest-catalog: the contest tool refuses"));
    assertThat(problemsAfter(docs -> Yaml.cast(doc(docs, "ConfigMap", "contest-catalog").get("data"))
        .put("catalog.json", "{\"contest\":\"x\",\"bands\":[{\"name\":\"A\",\"albums\":[{\"title\":\"U\",\"year\":1}]},"
            + "{\"name\":\" a\",\"albums\":[{\"title\":\"V\",\"year\":1}]}]}")))
        .anySatisfy(p -> assertThat(p).contains("the contest tool refuses").contains("same name once trimmed and case-folded"));
  }

  @Test
  void aCatalogJobPointedAtAFileThatIsNotMountedIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(doc(docs, "Job", "contest-catalog"),
            "spec", "template", "spec", "containers", 0)).put("args", List.of("apply", "/etc/quetzal/catalog/contest.json"))))
        .anySatisfy(p -> assertThat(p).contains("/etc/quetzal/catalog/contest.json is not a file of a mounted ConfigMap"));
  }

  @Test
  void aWrongKedaConsumerGroupIsCaught() {
    List<Map<String, Object>> docs = new ArrayList<>();
    Deployments.withComponents(Deployments.LOCAL, Set.of(), "components/keda").documents()
        .forEach(d -> docs.add(Yaml.copy(d.raw())));
    Yaml.cast(Yaml.at(doc(docs, "ScaledObject", "sinks"), "spec", "triggers", 0, "metadata"))
        .put("consumerGroup", "quetzal-sink-redis");
    assertThat(Wiring.check(Rendered.of("broken keda", docs, Set.of())))
        .anySatisfy(p -> assertThat(p).contains("consumerGroup quetzal-sink-redis is not one the sinks use"));
  }

  @Test
  void aCommittedSecretInProdIsCaught() {
    List<Map<String, Object>> docs = new ArrayList<>();
    Deployments.prod().documents().forEach(d -> docs.add(Yaml.copy(d.raw())));
    Map<String, Object> secret = new LinkedHashMap<>();
    secret.put("apiVersion", "v1");
    secret.put("kind", "Secret");
    secret.put("metadata", new LinkedHashMap<>(Map.of("name", "redis-auth", "namespace", "quetzal")));
    secret.put("stringData", new LinkedHashMap<>(Map.of("password", "hunter2")));
    docs.add(secret);
    assertThat(Wiring.check(Rendered.of("broken prod", docs, Deployments.PROD_EXTERNAL_SECRETS)))
        .anySatisfy(p -> assertThat(p).contains("Secret/redis-auth: this deployment expects its Secrets from outside"));
  }

  // ---- credentials: store URLs from Secrets, Redis with a password, no literal password anywhere

  @Test
  void aStoreUrlWithALiteralPasswordIsCaught() {
    assertThat(problemsAfter(docs -> envVar(docs, "Deployment", "web", "MONGO_URI")
        .put("value", "mongodb://quetzal:hunter2@mongodb:27017")))
        .anySatisfy(p -> assertThat(p).contains("Deployment/web container web: the password in MONGO_URI must be $(VAR)"))
        .anySatisfy(p -> assertThat(p).contains("Deployment/web").contains("a literal password in a URI (mongodb://***@"))
        .allSatisfy(p -> assertThat(p).doesNotContain("hunter2"));
  }

  @Test
  void aStoreUrlWithoutCredentialsIsCaught() {
    assertThat(problemsAfter(docs -> envVar(docs, "Deployment", "sinks", "REDIS_URL").put("value", "redis://redis:6379")))
        .anySatisfy(p -> assertThat(p).contains("Deployment/sinks container sinks: REDIS_URL carries no password"));
  }

  @Test
  void aPasswordVariableWithALiteralValueIsCaught() {
    assertThat(problemsAfter(docs -> {
      Map<String, Object> password = envVar(docs, "Deployment", "web", "REDIS_PASSWORD");
      password.remove("valueFrom");
      password.put("value", "hunter2");
    }))
        .anySatisfy(p -> assertThat(p).contains("Deployment/web container web: the password in REDIS_URL must be $(VAR) with VAR from a secretKeyRef"))
        .anySatisfy(p -> assertThat(p).contains("REDIS_PASSWORD is a literal; take it from a secretKeyRef"));
  }

  @Test
  void aRedisWithoutAPasswordIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.list(container(docs, "StatefulSet", "redis").get("args"))
        .removeIf(a -> String.valueOf(a).contains("requirepass") || String.valueOf(a).contains("REDISCLI_AUTH"))))
        .anySatisfy(p -> assertThat(p).contains("StatefulSet/redis container redis: Redis must require a password"));
  }

  @Test
  void aLiteralRedisPasswordOnTheCommandLineOrInItsConfigIsCaught() {
    assertThat(problemsAfter(docs -> {
      Yaml.list(container(docs, "StatefulSet", "redis").get("args")).set(2, "hunter2");
      Map<String, Object> data = Yaml.cast(doc(docs, "ConfigMap", "redis-config").get("data"));
      data.put("redis.conf", data.get("redis.conf") + "requirepass hunter2\n");
    }))
        .anySatisfy(p -> assertThat(p).contains("StatefulSet/redis").contains("a literal password after --requirepass"))
        .anySatisfy(p -> assertThat(p).contains("ConfigMap/redis-config .data.redis.conf: a literal password in a config file line"));
  }

  // ---- the Ingress reaches public ports only

  @Test
  void anIngressRouteToAnOpsPortIsCaught() {
    assertThat(problemsAfter(docs -> {
      Map<String, Object> ops = new LinkedHashMap<>(Map.of("name", "ops", "port", 8089, "targetPort", "ops"));
      Yaml.list(Yaml.at(doc(docs, "Service", "web"), "spec", "ports")).add(ops);
      Yaml.cast(Yaml.at(doc(docs, "Ingress", "quetzal"), "spec", "rules", 0, "http", "paths", 3, "backend", "service", "port"))
          .put("name", "ops");
    }))
        .anySatisfy(p -> assertThat(p).contains("Ingress/quetzal /: routes to Service web port ops, an operational port"))
        .anySatisfy(p -> assertThat(p).contains("Ingress/quetzal /: routes to Deployment/web port 8089, where gt.quetzal.web.WebConfig serves /metrics"));
  }

  @Test
  void aPublicPortStillServingMetricsIsCaught() {
    // Without OPS_PORT, ingest-http serves /metrics on the port the Ingress routes.
    assertThat(problemsAfter(docs -> env(docs, "Deployment", "ingest-http").removeIf(e -> "OPS_PORT".equals(Yaml.cast(e).get("name")))))
        .anySatisfy(p -> assertThat(p).contains("Ingress/quetzal /votes: routes to Deployment/ingest-http port 8080, where "
            + "gt.quetzal.ingest.http.IngestHttpConfig serves /metrics; set OPS_PORT"));
  }

  @Test
  void anIngressRouteToTheStreamsAppIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.cast(Yaml.at(doc(docs, "Ingress", "quetzal"),
        "spec", "rules", 0, "http", "paths", 2, "backend", "service")).put("name", "streams-app")))
        .anySatisfy(p -> assertThat(p).contains("Ingress/quetzal /grafana: routes to StatefulSet/streams-app, which is internal"))
        .anySatisfy(p -> assertThat(p).contains("where gt.quetzal.streams.StreamsAppConfig serves /metrics"));
  }
  // ---- Prometheus scrapes every service where it serves /metrics

  private static Map<String, Object> podAnnotations(List<Map<String, Object>> docs, String kind, String name) {
    return Yaml.cast(Yaml.at(doc(docs, kind, name), "spec", "template", "metadata", "annotations"));
  }

  @Test
  void aServiceNobodyScrapesIsCaught() {
    assertThat(problemsAfter(docs -> podAnnotations(docs, "Deployment", "sinks").remove(MetricsScraping.SCRAPE)))
        .anySatisfy(p -> assertThat(p).contains("Deployment/sinks pod template: annotate prometheus.io/scrape"));
  }

  @Test
  void aScrapePortOffTheMetricsPortIsCaught() {
    // The web serves /metrics on its OPS_PORT (8089), not on the public 8088.
    assertThat(problemsAfter(docs -> podAnnotations(docs, "Deployment", "web").put(MetricsScraping.PORT, "8088")))
        .anySatisfy(p -> assertThat(p).contains("prometheus.io/port is 8088, but web serves /metrics on 8089"));
  }

  @Test
  void aMetricsPortThePoliciesCloseIsCaught() {
    assertThat(problemsAfter(docs -> Yaml.list(Yaml.at(doc(docs, "NetworkPolicy", "metrics-from-prometheus"),
        "spec", "podSelector", "matchExpressions", 0, "values")).remove("streams-app")))
        .anySatisfy(p -> assertThat(p).contains("do not let Deployment/prometheus reach StatefulSet/streams-app on its metrics port 8081"));
  }
}
