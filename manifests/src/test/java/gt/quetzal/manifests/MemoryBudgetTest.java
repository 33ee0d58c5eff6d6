package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The memory budget check on its own: every deployment passes it (WiringTest); these show it can fail. */
class MemoryBudgetTest {

  @Test
  void theBudgetReadsHeapFromTheLastFlagAndFromTheLimit() {
    long limit = 512 * MemoryBudget.MIB;
    MemoryBudget.Need byPercent = MemoryBudget.need(Map.of("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=50"), limit, false, 40, 0);
    assertThat(byPercent.heap()).isEqualTo(256 * MemoryBudget.MIB);
    MemoryBudget.Need byXmx = MemoryBudget.need(Map.of("JAVA_TOOL_OPTIONS", "-Xmx1g -Xss512k -Xmx96m"), limit, false, 20, 0);
    assertThat(byXmx.heap()).isEqualTo(96 * MemoryBudget.MIB);
    assertThat(byXmx.stack()).isEqualTo(512 * 1024);
    assertThat(MemoryBudget.need(Map.of(), limit, false, 40, 0).heap()).as("the JVM's default 25 %").isEqualTo(128 * MemoryBudget.MIB);
    assertThat(MemoryBudget.need(Map.of(), limit, true, 100, 0).heap()).as("kafka-server-start's 1 GiB").isEqualTo(1024 * MemoryBudget.MIB);
  }

  @Test
  void theStreamsAppsRocksDbPoolIsTheConfigsOwnDefaultWhenUnset() {
    Object config = QuetzalService.STREAMS_APP.read(Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9092")).config();
    assertThat(MemoryBudget.rocksDbBytes(config)).isEqualTo(gt.quetzal.streams.runtime.StreamsAppConfig.DEFAULT_ROCKSDB_CACHE_BYTES);
  }

  private static List<String> localProblemsAfter(java.util.function.Consumer<List<Map<String, Object>>> breakIt) {
    List<Map<String, Object>> docs = new java.util.ArrayList<>();
    Deployments.local().documents().forEach(d -> docs.add(Yaml.copy(d.raw())));
    breakIt.accept(docs);
    return Wiring.check(Rendered.of("broken", docs, java.util.Set.of()));
  }

  private static Map<String, Object> container(List<Map<String, Object>> docs, String kind, String name) {
    Map<String, Object> doc = docs.stream()
        .filter(d -> kind.equals(d.get("kind")) && name.equals(Yaml.at(d, "metadata", "name"))).findFirst().orElseThrow();
    return Yaml.cast(Yaml.at(doc, "spec", "template", "spec", "containers", 0));
  }

  @Test
  void theStreamsAppAtTheIssuesSettingsIsCaught() {
    // Issue 18: 768Mi, heap 50 %, the 256 MiB default pool — the whole limit before metaspace and threads.
    assertThat(localProblemsAfter(docs -> {
      Map<String, Object> c = container(docs, "StatefulSet", "streams-app");
      List<Object> env = Yaml.list(c.get("env"));
      env.removeIf(e -> "ROCKSDB_CACHE_BYTES".equals(Yaml.cast(e).get("name")));
      env.stream().map(Yaml::cast).filter(e -> "JAVA_TOOL_OPTIONS".equals(e.get("name")))
          .forEach(e -> e.put("value", "-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"));
    })).anySatisfy(p -> assertThat(p).contains("StatefulSet/streams-app container streams-app: memory limit 768 MiB is below")
        .contains("RocksDB 256"));
  }

  @Test
  void anIngestHeapThatLeavesNoRoomIsCaught() {
    assertThat(localProblemsAfter(docs -> Yaml.list(container(docs, "Deployment", "ingest-http").get("env")).stream()
        .map(Yaml::cast).filter(e -> "JAVA_TOOL_OPTIONS".equals(e.get("name")))
        .forEach(e -> e.put("value", "-XX:MaxRAMPercentage=70"))))
        .anySatisfy(p -> assertThat(p).contains("Deployment/ingest-http container ingest-http: memory limit 512 MiB is below"));
  }

  @Test
  void aToolJobWithTooBigAHeapIsCaught() {
    assertThat(localProblemsAfter(docs -> Yaml.list(container(docs, "Job", "kafka-topics").get("env")).stream()
        .map(Yaml::cast).filter(e -> "KAFKA_HEAP_OPTS".equals(e.get("name"))).forEach(e -> e.put("value", "-Xmx384m"))))
        .anySatisfy(p -> assertThat(p).contains("Job/kafka-topics container kafka-topics: memory limit"));
  }
}
