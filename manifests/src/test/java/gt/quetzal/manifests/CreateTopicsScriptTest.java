package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.devstack.TopicSetup;
import gt.quetzal.devstack.TopicSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topic Job's own script, run: Kafka's two CLIs are stand-ins that log each call and, for
 * {@code --describe}, replay what {@code kafka-topics.sh --describe} of Kafka 4.4.0 printed for the
 * devstack's topics at 3 partitions ({@code kafka/describe-3-partitions.txt}, recorded from a real
 * broker; one partition line per topic kept). So the script's reading of the real output format, its
 * refusal of another count and what it creates are all exercised.
 */
class CreateTopicsScriptTest {

  private record Run(int exit, String output, List<String> calls) {}

  private static Run run(Path dir, String partitions, boolean topicsExist) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path log = dir.resolve("calls.log");
    Path describe = dir.resolve("describe.txt");
    if (topicsExist) {
      Files.copy(Path.of(CreateTopicsScriptTest.class.getResource("/kafka/describe-3-partitions.txt").toURI()), describe);
    } else {
      Files.writeString(describe, "");
    }
    String stub = "#!/bin/bash\necho \"$(basename \"$0\") $*\" >>" + log + "\n"
        + "for a in \"$@\"; do [[ $a == --describe ]] && cat " + describe + "; done\nexit 0\n";
    for (String tool : List.of("kafka-topics.sh", "kafka-configs.sh")) {
      Files.writeString(bin.resolve(tool), stub);
      Files.setPosixFilePermissions(bin.resolve(tool), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    String script = Files.readString(Repo.manifests().resolve("base/files/kafka/create-topics.sh"));
    assertThat(script).as("the script's paths this test replaces")
        .contains("/opt/kafka/bin/", "/etc/quetzal/kafka/topics.txt", "admin=/tmp/admin.properties");
    String runnable = script.replace("/opt/kafka/bin/", bin + "/")
        .replace("/etc/quetzal/kafka/topics.txt", Repo.manifests().resolve("base/files/kafka/topics.txt").toString())
        .replace("admin=/tmp/admin.properties", "admin=" + dir.resolve("admin.properties"));
    Path file = dir.resolve("create-topics.sh");
    Files.writeString(file, runnable);
    ProcessBuilder builder = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true);
    builder.environment().putAll(Map.of("BOOTSTRAP_SERVERS", "kafka-bootstrap:9092", "REPLICATION_FACTOR", "3",
        "PARTITIONS", partitions));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return new Run(process.exitValue(), output, calls);
  }

  private static List<String> creates(Run run) {
    return run.calls().stream().filter(c -> c.contains("--create")).toList();
  }

  @Test
  void onANewClusterItCreatesThePlanWithTheGivenCount(@TempDir Path dir) throws Exception {
    Run run = run(dir, "12", false);

    assertThat(run.exit()).as(run.output()).isZero();
    List<String> expected = new ArrayList<>();
    for (TopicSpec topic : TopicSetup.plan(12)) {
      StringBuilder call = new StringBuilder("kafka-topics.sh --bootstrap-server kafka-bootstrap:9092 --command-config "
          + dir.resolve("admin.properties") + " --create --if-not-exists --topic " + topic.name()
          + " --partitions " + topic.partitions() + " --replication-factor 3");
      topic.configs().forEach((key, value) -> call.append(" --config ").append(key).append('=').append(value));
      expected.add(call.toString());
    }
    assertThat(creates(run)).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void theSameCountAgainCreatesNothingNewAndPasses(@TempDir Path dir) throws Exception {
    Run run = run(dir, "3", true);

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).doesNotContain("PARTITIONS asks");
  }

  @Test
  void anotherCountIsRefusedBeforeAnythingIsCreated(@TempDir Path dir) throws Exception {
    Run run = run(dir, "12", true);

    assertThat(run.exit()).isEqualTo(1);
    for (String topic : TopicSetup.SCALED) {
      assertThat(run.output()).contains("topic " + topic + " has 3 partitions, but PARTITIONS asks 12");
    }
    assertThat(run.output()).doesNotContain("topic votes.rejected has").contains("Nothing was created.");
    assertThat(creates(run)).isEmpty();
    assertThat(run.calls()).noneMatch(c -> c.startsWith("kafka-configs.sh"));
  }

  @Test
  void aCountThatIsNotAWholeNumberIsRefused(@TempDir Path dir) throws Exception {
    Run run = run(dir, "twelve", false);

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.output()).contains("PARTITIONS=twelve is not a positive integer");
    assertThat(run.calls()).isEmpty();
  }
}
