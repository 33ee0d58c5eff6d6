package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.bench.stack.Infra;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.devstack.RedisServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * {@code ./quetzal k8s verify} cannot meet a cluster here, so it meets the local stack through a kubectl
 * stand-in ({@code k8s/fake_kubectl.py}): every call the launcher makes is answered as kubectl would, and
 * every port-forward becomes a relay to a local port, the Ingress controller's one port sending HTTP/1.1
 * to ingest-http and HTTP/2 to ingest-grpc as Traefik does. Redis requires a password that the launcher
 * must take from the Secret; MongoDB is the stand-in (mongo-java-server, no authentication), given as
 * MONGO_URI, the launcher's path for a store outside the cluster. The contest is one the launcher must
 * read from Kafka through the broker's forward: votes for the demo's bands would all be refused.
 */
class K8sVerifyIT {

  private static final Path LAUNCHER = Path.of("..", "quetzal").toAbsolutePath().normalize();
  private static final String PASSWORD = "k8s/verify:pässword";
  private static final int VOTES = 40;
  private static final Catalog CONTEST = new Catalog("k8s-verify", List.of(
      band("Sobre la Mesa Verde", "Canción de cuna", 2011),
      band("Los Tres del Lago", "Atitlán", 1999),
      band("Humo Azul", "Ceniza", 2020)));
  private static final List<String> WORKLOADS = List.of(
      "deployment.apps/ingest-http", "deployment.apps/ingest-grpc", "deployment.apps/sinks",
      "statefulset.apps/kafka", "statefulset.apps/streams-app", "statefulset.apps/redis");

  private static Devstack devstack;
  private static InProcessStack stack;
  private static String redisUrl;

  @BeforeAll
  static void start() {
    devstack = Devstack.startEphemeral();
    try (RedisClient admin = RedisClient.create(URI.create(devstack.redisUrl()))) {
      admin.configSet("requirepass", PASSWORD);
    }
    URI plain = URI.create(devstack.redisUrl());
    redisUrl = "redis://:" + PASSWORD.replace("/", "%2F").replace(":", "%3A").replace("ä", "%C3%A4")
        + "@" + plain.getHost() + ":" + plain.getPort();
    devstack.applyContest(CONTEST);
    stack = InProcessStack.builder().streams().sinks().ingestHttp().ingestGrpc()
        .startOn(new Infra(devstack.bootstrapServers(), redisUrl, devstack.mongoUri()));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (devstack != null) {
      devstack.close();
    }
  }

  @Test
  void votesOverBothRoutesThroughTheForwardsAndPasses(@TempDir Path dir) throws Exception {
    long acceptedBefore = accepted();

    Result result = verify(dir, routes(redisPort()), List.of());

    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(result.output()).contains("VERDICT: PASS");
    // What the stack itself counted, apart from the launcher's verdict: both routes' votes, once each.
    assertThat(accepted() - acceptedBefore).isEqualTo(2L * VOTES);
    List<List<String>> calls = calls(dir);
    for (String workload : WORKLOADS) {
      assertThat(calls).contains(List.of("-n", "quetzal", "rollout", "status", workload, "--timeout", "5m"));
    }
    assertThat(calls).contains(List.of("-n", "quetzal", "wait", "--for=condition=complete", "job.batch/kafka-topics",
        "--timeout", "5m"));
    assertThat(calls).filteredOn(call -> call.contains("port-forward")).extracting(call -> call.get(5))
        .containsExactlyInAnyOrder("svc/traefik", "svc/streams-app", "svc/redis", "pod/kafka-0");
  }

  @Test
  void failsWhenAForwardReachesTheWrongStore(@TempDir Path dir) throws Exception {
    // A forward of svc/redis that lands on another, empty Redis: the cluster's votes are not where the
    // verdict reads them, which is what a wrongly wired deployment (or check) looks like.
    try (RedisServer other = RedisServer.start(0, dir.resolve("other-redis"), false);
        RedisClient admin = RedisClient.create(URI.create(other.url()))) {
      admin.configSet("requirepass", PASSWORD);
      Result result = verify(dir, routes(other.port()),
          List.of("SETTLE_QUIET_MS=2000", "SETTLE_TIMEOUT_MS=20000", "RECOUNT_SETTLE_SECONDS=2"));

      assertThat(result.exit()).as(result.output()).isEqualTo(1);
      assertThat(result.output()).contains("VERDICT: FAIL").contains("redis band totals");
    }
  }

  @Test
  void stopsBeforeAnyVoteWhenARolloutDoesNotFinish(@TempDir Path dir) throws Exception {
    long acceptedBefore = accepted();
    Map<String, Object> config = new HashMap<>(routes(redisPort()));
    config.put("failRollout", List.of("statefulset.apps/streams-app"));

    Result result = verify(dir, config, List.of());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.output()).contains("statefulset.apps/streams-app did not finish rolling out");
    assertThat(calls(dir)).noneMatch(call -> call.contains("port-forward"));
    assertThat(accepted()).isEqualTo(acceptedBefore);
  }

  private static int redisPort() {
    return URI.create(devstack.redisUrl()).getPort();
  }

  /** What the fake kubectl answers, with svc/redis forwarded to {@code redisPort}. */
  private static Map<String, Object> routes(int redisPort) {
    Map<String, Object> forwards = new HashMap<>();
    forwards.put("kube-system/svc/traefik",
        Map.of("remote", 80, "http1", stack.ingestHttp().httpPort(), "h2", stack.ingestGrpc().grpcPort()));
    forwards.put("quetzal/svc/streams-app", Map.of("remote", 8081, "to", stack.streams().httpPort()));
    forwards.put("quetzal/svc/redis", Map.of("remote", 6379, "to", redisPort));
    forwards.put("quetzal/pod/kafka-0",
        Map.of("remote", 9094, "to", URI.create("kafka://" + devstack.bootstrapServers()).getPort()));
    Map<String, Object> config = new HashMap<>();
    config.put("workloads", WORKLOADS);
    config.put("jobs", List.of("job.batch/kafka-topics"));
    config.put("kafkaReplicas", 1);
    config.put("secrets", Map.of("redis-auth", Map.of("password", PASSWORD)));
    config.put("forwards", forwards);
    return config;
  }

  private record Result(int exit, String output) {}

  private static Result verify(Path dir, Map<String, Object> fake, List<String> extraEnv) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path kubectl = bin.resolve("kubectl");
    Files.writeString(kubectl, "#!/bin/sh\nexec /usr/bin/python3 " + fakeKubectl() + " \"$@\"\n");
    Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, Object> config = new HashMap<>(fake);
    config.put("log", dir.resolve("kubectl-calls.jsonl").toString());
    Path configFile = dir.resolve("fake-kubectl.json");
    new ObjectMapper().writeValue(configFile.toFile(), config);
    // The launcher builds only when sources are newer than this stamp; the reactor has just built them.
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.writeString(home.resolve("build.stamp"), "");
    Path output = dir.resolve("verify.out");

    ProcessBuilder builder = new ProcessBuilder("bash", LAUNCHER.toString(), "k8s", "verify", "--votes",
        Integer.toString(VOTES), "--rate", "40")
        .directory(LAUNCHER.getParent().toFile())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    Map<String, String> env = builder.environment();
    env.put("PATH", bin + ":" + env.get("PATH"));
    env.put("FAKE_KUBECTL_CONFIG", configFile.toString());
    env.put("QUETZAL_HOME", home.toString());
    env.put("MONGO_URI", devstack.mongoUri());
    env.put("QUETZAL_K8S_KAFKA_FORWARD_BASE", Integer.toString(kafkaForwardPort()));
    env.remove("REDIS_URL");
    for (String pair : extraEnv) {
      env.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
    }
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw new AssertionError("k8s verify did not finish in 5 min:\n" + Files.readString(output));
    }
    return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }

  /**
   * The launcher forwards broker 0 to a fixed local port, the one its FORWARD listener advertises; on a
   * shared machine the test moves that base (QUETZAL_K8S_KAFKA_FORWARD_BASE) to a port free a moment ago.
   * Fixed by design, so it cannot be bound at 0 and read back.
   */
  private static int kafkaForwardPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static Path fakeKubectl() throws URISyntaxException {
    return Path.of(K8sVerifyIT.class.getResource("/k8s/fake_kubectl.py").toURI());
  }

  @SuppressWarnings("unchecked")
  private static List<List<String>> calls(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    return Files.readAllLines(dir.resolve("kubectl-calls.jsonl")).stream()
        .map(line -> {
          try {
            return (List<String>) json.readValue(line, List.class);
          } catch (IOException e) {
            throw new IllegalStateException(line, e);
          }
        })
        .toList();
  }

  private static long accepted() {
    String value = stack.redis().hget(RedisKeys.STATS, "accepted");
    return value == null ? 0 : Long.parseLong(value);
  }

  private static Catalog.Band band(String name, String album, int year) {
    return new Catalog.Band(name, List.of(new Catalog.Album(album, year)));
  }
}
