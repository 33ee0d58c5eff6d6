package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Who may reach the stores, computed from the rendered policies: the list, plus the sinks on
 * Kafka (they consume the tallies and the accepted votes; without them nothing reaches Redis or
 * MongoDB) and Kafka's own Job and brokers.
 */
class NetworkPolicyTest {

  private static Set<String> clients(Rendered rendered, String target, int port) {
    Rendered.Workload to = rendered.workload(target).orElseThrow();
    Set<String> allowed = new TreeSet<>();
    for (Rendered.Workload from : rendered.workloads()) {
      if (NetworkPolicies.allows(rendered, NetworkPolicies.pod(rendered, from), to, port)) {
        allowed.add(from.name());
      }
    }
    if (NetworkPolicies.allows(rendered, NetworkPolicies.traefik(), to, port)) {
      allowed.add("traefik");
    }
    if (NetworkPolicies.allows(rendered, NetworkPolicies.keda(), to, port)) {
      allowed.add("keda");
    }
    return allowed;
  }

  @Test
  void onlyTheirClientsReachKafkaRedisAndMongo() {
    for (Rendered rendered : new Rendered[] {Deployments.local(), Deployments.prod()}) {
      assertThat(clients(rendered, "kafka", 9092)).as(rendered.name())
          .containsExactlyInAnyOrder("ingest-http", "ingest-grpc", "streams-app", "sinks", "kafka-topics", "contest-catalog", "kafka");
      assertThat(clients(rendered, "kafka", 9093)).as("controllers talk only to each other").containsExactly("kafka");
      assertThat(clients(rendered, "redis", 6379)).containsExactlyInAnyOrder("sinks", "web", "grafana");
      assertThat(clients(rendered, "mongodb", 27017)).containsExactlyInAnyOrder("sinks", "web");
    }
  }

  @Test
  void theIngressReachesOnlyWhatItRoutes() {
    Rendered local = Deployments.local();
    assertThat(clients(local, "ingest-http", 8080)).containsExactly("traefik");
    assertThat(clients(local, "ingest-grpc", 9090)).containsExactly("traefik");
    assertThat(clients(local, "ingest-grpc", 8085)).as("health and metrics: Prometheus only").containsExactly("prometheus");
    assertThat(clients(local, "web", 8088)).containsExactly("traefik");
    assertThat(clients(local, "grafana", 3000)).containsExactly("traefik");
    assertThat(clients(local, "sinks", 8082)).containsExactly("prometheus");
    assertThat(clients(local, "streams-app", 8081)).containsExactlyInAnyOrder("streams-app", "prometheus");
    assertThat(clients(local, "web", 8089)).containsExactly("prometheus");
    assertThat(clients(local, "prometheus", 9090)).containsExactly("grafana");
  }

  @Test
  void theComponentsOpenExactlyWhatTheyExpose() {
    Set<String> kafkaClients =
        Set.of("ingest-http", "ingest-grpc", "streams-app", "sinks", "kafka-topics", "contest-catalog", "kafka");
    Rendered keda = Deployments.withComponents(Deployments.LOCAL, Set.of(), "components/keda");
    Set<String> withKeda = new TreeSet<>(kafkaClients);
    withKeda.add("keda");
    assertThat(clients(keda, "kafka", 9092)).as("keda opens Kafka to KEDA and nothing else").containsExactlyInAnyOrderElementsOf(withKeda);
    assertThat(clients(keda, "redis", 6379)).as("keda leaves Redis as it was").containsExactlyInAnyOrder("sinks", "web", "grafana");
    Rendered lb = Deployments.withComponents(Deployments.LOCAL, Set.of(), "components/loadbalancer");
    Set<String> everyone = new TreeSet<>();
    lb.workloads().forEach(workload -> everyone.add(workload.name()));
    everyone.add("traefik");
    everyone.add("keda");
    assertThat(clients(lb, "redis", 6379)).as("anyone, via the LB").containsExactlyInAnyOrderElementsOf(everyone);
    assertThat(clients(lb, "kafka", 9092)).as("the LB leaves Kafka as it was").containsExactlyInAnyOrderElementsOf(kafkaClients);
  }
}
