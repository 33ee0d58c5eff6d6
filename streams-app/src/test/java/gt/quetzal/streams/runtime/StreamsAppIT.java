package gt.quetzal.streams.runtime;

import gt.quetzal.streams.query.PeerClient;
import gt.quetzal.streams.topology.StoreNames;
import gt.quetzal.streams.topology.Tallies;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.AlbumKey;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.Stats;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.devstack.Devstack;
import gt.quetzal.devstack.TopicSetup;
import gt.quetzal.devstack.TopicSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the streams app on the real (in-process) broker: instance A runs in this JVM,
 * instance B in a child JVM so that it can be killed without any shutdown (SIGKILL).
 */
class StreamsAppIT {

  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final Path CATALOG_FILE = Path.of("..", "config", "catalog.json").toAbsolutePath();
  private static final Catalog CATALOG = Catalog.load(CATALOG_FILE);

  @TempDir Path dirs;

  private Devstack stack;
  private final String applicationId = "quetzal-it-" + System.nanoTime();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private StreamsMain.Running a;
  private Process b;
  private int portA;
  private int portB;

  @BeforeEach
  void startStack() {
    stack = Devstack.startEphemeral();
    stack.applyContest(CATALOG);
    // The devstack creates the plan's topics; make sure the tally topics exist even on an older plan.
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
      TopicSetup.createAll(
          admin,
          List.of(
              TopicSpec.compacted(Topics.TALLIES_ALBUMS, 3),
              TopicSpec.compacted(Topics.TALLIES_BANDS_PER_MINUTE, 3),
              TopicSpec.compacted(Topics.TALLIES_STATS, 1)),
          (short) 1);
    }
  }

  @AfterEach
  void stopAll() {
    if (b != null) {
      b.destroy();
      try {
        b.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      b.destroyForcibly();
    }
    if (a != null) {
      a.close();
    }
    stack.close();
  }

  @Test
  void eitherInstanceAnswersForEveryBandAndStandingsMergeAcrossInstances() throws Exception {
    startBothInstances();
    VoteMix mix = new VoteMix(42);
    produce(mix.next(4_000));

    awaitExactTallies(mix.expected);

    // Each instance owns only part of the bands, so answering for every band took forwarding.
    Set<HostInfo> owners = new HashSet<>();
    for (Catalog.Band band : CATALOG.bands()) {
      owners.add(
          a.streams()
              .queryMetadataForKey(StoreNames.BAND_MINUTES, band.name(), new StringSerializer())
              .activeHost());
      owners.add(
          a.streams()
              .queryMetadataForKey(
                  StoreNames.ALBUM_TOTALS, Tallies.anyAlbumOf(band.name()), Tallies.ALBUMS_BY_BAND)
              .activeHost());
    }
    assertThat(owners).containsExactlyInAnyOrder(host(portA), host(portB));

    // Standings are merged: each instance alone knows a disjoint part, together the whole.
    Map<String, Long> onlyA = totals(getForwarded(portA, "/api/standings"));
    Map<String, Long> onlyB = totals(getForwarded(portB, "/api/standings"));
    assertThat(onlyA.keySet()).doesNotContainAnyElementsOf(onlyB.keySet());
    assertThat(onlyA).isNotEmpty();
    assertThat(onlyB).isNotEmpty();
    Map<String, Long> union = new HashMap<>(onlyA);
    union.putAll(onlyB);
    assertThat(union).isEqualTo(mix.expected.bands);

    JsonNode leaderboard = get(portB, "/api/leaderboard?n=3");
    assertThat(leaderboard.get("leaderboard").findValuesAsText("band"))
        .containsExactlyElementsOf(mix.expected.top(3));

    assertThat(latestCommitted(Topics.TALLIES_BANDS.name(), Topics.TALLIES_BANDS.valueSerde().deserializer()))
        .isEqualTo(mix.expected.bands);
  }

  @Test
  void killingAnInstanceMidStreamAndRestartingItKeepsEveryTallyExact() throws Exception {
    startBothInstances();
    VoteMix mix = new VoteMix(7);
    int batches = 30;
    int sent = 0;
    // Paced by events, not sleeps: a third of the stream, then B is killed once the app is counting it;
    // a third while B is dead; B restarts; the last third.
    for (int i = 0; i < batches / 3; i++, sent++) {
      produce(mix.next(1_000));
    }

    // Kill B once both are busy with the stream: no shutdown hook, no commit, no leaving the group.
    await().atMost(CONVERGE).until(() -> accepted(portA) > 0);
    b.destroyForcibly();
    assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();

    for (int i = 0; i < batches / 3; i++, sent++) {
      produce(mix.next(1_000));
    }
    b = startChildOnItsPort(portB);
    for (int i = 0; i < batches - 2 * (batches / 3); i++, sent++) {
      produce(mix.next(1_000));
    }
    assertThat(sent).isEqualTo(batches);

    awaitExactTallies(mix.expected);

    // The clean log holds each accepted vote exactly once, despite the aborted transactions.
    List<String> acceptedIds = committedKeys(Topics.VOTES_ACCEPTED.name());
    assertThat(acceptedIds).hasSize((int) mix.expected.accepted);
    assertThat(new HashSet<>(acceptedIds)).hasSize((int) mix.expected.accepted);
    assertThat(latestCommitted(Topics.TALLIES_BANDS.name(), Topics.TALLIES_BANDS.valueSerde().deserializer()))
        .isEqualTo(mix.expected.bands);
    assertThat(latestCommitted(Topics.TALLIES_STATS.name(), Topics.TALLIES_STATS.valueSerde().deserializer()))
        .isEqualTo(mix.expected.stats());
  }

  // ------------------------------------------------------------------------ instances

  /**
   * The instances cannot bind port 0: each advertises its port to the other (APPLICATION_SERVER) before
   * it binds, and B must come back on the same one. So a free port is picked first, and a start that
   * lost it to another process meanwhile is retried: A on a new port, B on a new port at first and on
   * its own port after a kill.
   */
  private void startBothInstances() throws Exception {
    for (int attempt = 1; a == null; attempt++) {
      portA = freePort();
      try {
        a = StreamsMain.start(StreamsAppConfig.fromEnv(env(portA, "a")));
      } catch (RuntimeException e) {
        if (!lostThePort(e) || attempt == BIND_ATTEMPTS) {
          throw e;
        }
      }
    }
    for (int attempt = 1; b == null; attempt++) {
      portB = freePort();
      b = startChild(portB);
      if (!answers(b, portB)) {
        b = null;
        if (!lostThePort(lastChildLog) || attempt == BIND_ATTEMPTS) {
          throw new AssertionError("instance B did not start:\n" + Files.readString(lastChildLog));
        }
      }
    }
    await()
        .atMost(CONVERGE)
        .until(() -> status(portA, "/readyz") == 200 && status(portB, "/readyz") == 200);
  }

  private static final int BIND_ATTEMPTS = 5;
  private Path lastChildLog;

  /** B after a kill: on its own port again (its advertised address), retried while the port is taken. */
  private Process startChildOnItsPort(int port) throws Exception {
    for (int attempt = 1; ; attempt++) {
      Process child = startChild(port);
      if (answers(child, port)) {
        return child;
      }
      if (!lostThePort(lastChildLog) || attempt == BIND_ATTEMPTS) {
        throw new AssertionError("instance B did not restart:\n" + Files.readString(lastChildLog));
      }
    }
  }

  /** Waits until the child answers HTTP on its port (true) or exits (false). */
  private boolean answers(Process child, int port) {
    await().atMost(CONVERGE).until(() -> !child.isAlive() || status(port, "/readyz") != -1);
    return child.isAlive();
  }

  private static boolean lostThePort(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private static boolean lostThePort(Path log) throws IOException {
    String text = Files.readString(log);
    return text.contains("BindException") || text.contains("Address already in use");
  }

  private Map<String, String> env(int port, String name) {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
    env.put("APPLICATION_ID", applicationId);
    env.put("STATE_DIR", dirs.resolve("state-" + name).toString());
    env.put("HTTP_PORT", Integer.toString(port));
    env.put("APPLICATION_SERVER", "localhost:" + port);
    env.put("GROUP_INSTANCE_ID", "streams-" + name);
    env.put("ROCKSDB_CACHE_BYTES", Long.toString(16L * 1024 * 1024));
    return env;
  }

  /** Instance B: {@link StreamsMain#main} in its own JVM, on the module's runtime classpath. */
  private Process startChild(int port) throws IOException {
    String classpath =
        Path.of("target", "classes").toAbsolutePath()
            + java.io.File.pathSeparator
            + Files.readString(Path.of("target", "classpath.txt")).strip();
    Path log = Path.of("target", "it-logs", applicationId + "-b-" + System.nanoTime() + ".log");
    lastChildLog = log;
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-cp",
                classpath,
                StreamsMain.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().putAll(env(port, "b"));
    return builder.start();
  }

  private static HostInfo host(int port) {
    return new HostInfo("localhost", port);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  // ------------------------------------------------------------------------ votes

  /**
   * A reproducible stream in the shape of the contest: catalog bands with uneven popularity, names
   * typed in other cases and spacings, about 1% client retries, 1% invalid and 0.5% unknown bands.
   */
  private static final class VoteMix {
    private final Random random;
    private final List<VoteEvent> validSent = new ArrayList<>();
    private final Expected expected = new Expected();
    private int nextId;

    VoteMix(long seed) {
      this.random = new Random(seed);
    }

    synchronized List<KeyValue<String, String>> next(int count) {
      List<KeyValue<String, String>> records = new ArrayList<>();
      long now = System.currentTimeMillis();
      for (int i = 0; i < count; i++) {
        int roll = random.nextInt(200);
        if (roll < 2 && !validSent.isEmpty()) {
          VoteEvent again = validSent.get(random.nextInt(validSent.size()));
          records.add(KeyValue.pair(again.voteId(), json(again)));
          expected.duplicates++;
          continue;
        }
        String voteId = "it-" + nextId++;
        // Weighted: band k is picked k+1 times as often as band 0.
        int bands = CATALOG.bands().size();
        int pick = random.nextInt(bands * (bands + 1) / 2);
        int index = 0;
        while (pick >= index + 1) {
          pick -= index + 1;
          index++;
        }
        Catalog.Band band = CATALOG.bands().get(index);
        Catalog.Album album = band.albums().get(random.nextInt(band.albums().size()));
        int rank = 1 + random.nextInt(100);
        if (roll < 4) {
          records.add(KeyValue.pair(voteId, json(vote(voteId, band.name(), album.title(), 0, now))));
          expected.reject("invalid");
        } else if (roll < 5) {
          records.add(KeyValue.pair(voteId, json(vote(voteId, "Banda Fantasma", album.title(), rank, now))));
          expected.reject("unknown_band");
        } else {
          String typed = roll % 7 == 0 ? "  " + band.name().toUpperCase(Locale.ROOT) + " " : band.name();
          VoteEvent vote = vote(voteId, typed, album.title().toLowerCase(Locale.ROOT), rank, now);
          records.add(KeyValue.pair(voteId, json(vote)));
          validSent.add(vote);
          expected.accept(band.name(), album.title(), rank);
        }
      }
      return records;
    }

    private static VoteEvent vote(String voteId, String band, String album, int rank, long at) {
      return new VoteEvent(voteId, band, album, 2000, rank, null, "http", at);
    }

    private static String json(VoteEvent vote) {
      try {
        return Json.MAPPER.writeValueAsString(vote);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** What the tallies must say, computed independently of the app. */
  private static final class Expected {
    final Map<String, Long> bands = new HashMap<>();
    final Map<AlbumKey, long[]> albums = new HashMap<>();
    final Map<String, Long> rejectedByReason = new TreeMap<>();
    long accepted;
    long duplicates;

    void accept(String band, String album, int rank) {
      accepted++;
      bands.merge(band, 1L, Long::sum);
      albums.merge(
          new AlbumKey(band, album),
          new long[] {1, rank, rank, rank},
          (x, y) -> new long[] {x[0] + y[0], x[1] + y[1], Math.min(x[2], y[2]), Math.max(x[3], y[3])});
    }

    void reject(String reason) {
      rejectedByReason.merge(reason, 1L, Long::sum);
    }

    long rejected() {
      return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    Map<String, Long> stats() {
      Map<String, Long> stats = new HashMap<>();
      stats.put(Stats.ACCEPTED, accepted);
      stats.put(Stats.DUPLICATES, duplicates);
      stats.put(Stats.REJECTED, rejected());
      rejectedByReason.forEach((reason, n) -> stats.put(Stats.rejected(reason), n));
      return stats;
    }

    List<String> top(int n) {
      return bands.entrySet().stream()
          .sorted(
              Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .limit(n)
          .map(Map.Entry::getKey)
          .toList();
    }

    /** The album JSON an instance must answer for a band, as album → [count, sum, min, max]. */
    Map<String, List<Long>> albumsOf(String band) {
      Map<String, List<Long>> of = new TreeMap<>();
      albums.forEach(
          (key, s) -> {
            if (key.band().equals(band)) {
              of.put(key.album(), List.of(s[0], s[1], s[2], s[3]));
            }
          });
      return of;
    }
  }

  private void produce(List<KeyValue<String, String>> records) {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, 5);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (KeyValue<String, String> record : records) {
        // Like ingest: the record timestamp is the vote's receivedAt.
        long receivedAt = Json.MAPPER.readTree(record.value).get("receivedAt").asLong();
        acks.add(
            producer.send(
                new ProducerRecord<>(
                    Topics.VOTES_RAW.name(), null, receivedAt, record.key, record.value.getBytes(UTF_8))));
      }
      for (Future<RecordMetadata> ack : acks) {
        ack.get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("could not produce the votes", e);
    }
  }

  // ------------------------------------------------------------------------ checks

  /** Both instances, every query: exactly the expected tallies. */
  private void awaitExactTallies(Expected expected) {
    await()
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              for (int port : List.of(portA, portB)) {
                JsonNode stats = get(port, "/api/stats");
                assertThat(stats.get("accepted").asLong()).as("accepted on %d", port).isEqualTo(expected.accepted);
                assertThat(stats.get("duplicates").asLong()).isEqualTo(expected.duplicates);
                assertThat(stats.get("rejected").asLong()).isEqualTo(expected.rejected());
                Map<String, Long> reasons = new TreeMap<>();
                stats.get("rejectedByReason").fields().forEachRemaining(f -> reasons.put(f.getKey(), f.getValue().asLong()));
                assertThat(reasons).isEqualTo(expected.rejectedByReason);

                assertThat(totals(get(port, "/api/standings"))).isEqualTo(expected.bands);

                for (Catalog.Band band : CATALOG.bands()) {
                  String path = "/api/bands/" + PeerClient.segment(band.name());
                  JsonNode albums = get(port, path + "/albums");
                  assertThat(albums.get("band").asText()).isEqualTo(band.name());
                  Map<String, List<Long>> answered = new TreeMap<>();
                  albums.get("albums")
                      .forEach(
                          x ->
                              answered.put(
                                  x.get("album").asText(),
                                  List.of(
                                      x.get("count").asLong(),
                                      x.get("rankSum").asLong(),
                                      x.get("rankMin").asLong(),
                                      x.get("rankMax").asLong())));
                  assertThat(answered).as("albums of %s on %d", band.name(), port).isEqualTo(expected.albumsOf(band.name()));

                  long inTimeline = 0;
                  for (JsonNode minute : get(port, path + "/timeline").get("minutes")) {
                    inTimeline += minute.get("count").asLong();
                  }
                  assertThat(inTimeline)
                      .as("timeline of %s on %d", band.name(), port)
                      .isEqualTo(expected.bands.getOrDefault(band.name(), 0L));
                }
              }
            });
  }

  /** Accepted so far, or 0 while the instance can't answer (a 503 during a rebalance is expected here). */
  private long accepted(int port) {
    try {
      return get(port, "/api/stats").get("accepted").asLong();
    } catch (Exception | AssertionError e) {
      return 0;
    }
  }

  private static Map<String, Long> totals(JsonNode standings) {
    Map<String, Long> totals = new HashMap<>();
    standings.get("standings").forEach(s -> totals.put(s.get("band").asText(), s.get("total").asLong()));
    return totals;
  }

  private JsonNode get(int port, String path) throws Exception {
    return send(port, path, false);
  }

  private JsonNode getForwarded(int port, String path) throws Exception {
    return send(port, path, true);
  }

  private JsonNode send(int port, String path, boolean forwarded) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(10));
    if (forwarded) {
      request.header(PeerClient.FORWARDED_HEADER, "it");
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s on %d: %s", path, port, response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body());
  }

  private int status(int port, String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  // ------------------------------------------------------------------------ topics

  private <V> Map<String, V> latestCommitted(String topic, Deserializer<V> values) {
    Map<String, V> latest = new HashMap<>();
    readCommitted(topic, values, record -> latest.put(record.key(), record.value()));
    return latest;
  }

  private List<String> committedKeys(String topic) {
    List<String> keys = new ArrayList<>();
    readCommitted(topic, (t, bytes) -> bytes, record -> keys.add(record.key()));
    return keys;
  }

  /** Everything committed in {@code topic} up to the end as of now (read_committed). */
  private <V> void readCommitted(
      String topic, Deserializer<V> values, java.util.function.Consumer<ConsumerRecord<String, V>> sink) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(config, Topics.TALLIES_BANDS.keySerde().deserializer(), values)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      await()
          .atMost(CONVERGE)
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(sink);
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
              });
    }
  }

}
