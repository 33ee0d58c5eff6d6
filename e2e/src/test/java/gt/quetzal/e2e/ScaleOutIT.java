package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.bench.fault.FaultStack;
import gt.quetzal.bench.fault.SteadySender;
import gt.quetzal.bench.fault.VoteOutcome;
import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.bench.stack.Service;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.contract.Stats;
import gt.quetzal.contract.Topics;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.load.reconcile.LivePipeline;
import gt.quetzal.load.recount.Recount;
import gt.quetzal.load.recount.RecountConfig;
import gt.quetzal.load.recount.RecountMain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scale-out proven for correctness on one machine: 12 partitions, three streams-app instances and two sinks,
 * votes over the four routes (POST /votes, POST /votes/batch, Cast, CastStream) while streams instance 1 is
 * stopped and started again. Afterwards every acknowledged vote is counted exactly once (each instance's
 * standings, Redis, MongoDB, and {@code votes.accepted} holding each voteId once), every instance answers
 * for every band, the deliberate resends were dropped across the rebalance, the recount agrees, and the
 * twelve tasks of the main sub-topology (those reading votes.raw) are spread four to each instance.
 *
 * <p>What two cores cannot show is speed-up: this proves that adding instances breaks nothing and that the
 * work spreads (docs/capacity.md measures throughput).
 */
class ScaleOutIT {

  private static final int PARTITIONS = 12;
  private static final int STREAMS = 3;
  private static final int SINKS = 2;
  private static final int RESTARTED = 1;
  private static final int BANDS = 24;
  /** Every client retries an unknown answer (none is expected), and every 7th vote is resent after its ack. */
  private static final SteadySender.Settings TRAFFIC = new SteadySender.Settings(
      300, Duration.ofSeconds(20), Duration.ofSeconds(40), Duration.ofSeconds(1), 0, 7);
  private static final Duration SETTLE = Duration.ofSeconds(120);
  private static final HttpClient http = HttpClient.newHttpClient();

  @Test
  @Timeout(360)
  void threeInstancesCountEveryAcknowledgedVoteOnceThroughARestartAndShareTheWork() throws Exception {
    String runId = "scale-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> bands = new LinkedHashMap<>();
    IntStream.range(0, BANDS).forEach(i -> bands.put(runId + " band " + i, "album " + i));
    try (InProcessStack stack = InProcessStack.builder()
            .partitions(PARTITIONS)
            .contest(null)
            .instances(Service.STREAMS_APP, STREAMS)
            .instances(Service.SINKS, SINKS)
            // Three RocksDB caches in one JVM: small ones, the votes here fit anyway.
            .streams("ROCKSDB_CACHE_BYTES", Long.toString(16L << 20))
            .sinks().ingestHttp().ingestGrpc()
            .start()) {
      awaitEvenSpread(stack);
      List<VoteOutcome> outcomes;
      try (SteadySender sender = new SteadySender(() -> endpoints(stack), runId, bands, TRAFFIC)) {
        sender.start();
        // Each phase lasts until so many more votes went out (about 4 s at the rate), not for a set time.
        awaitSent(sender, 1_200, "before the stop");
        stack.stop(Service.STREAMS_APP, RESTARTED);
        awaitSent(sender, 1_200, "while instance " + RESTARTED + " is away");
        stack.startAgain(Service.STREAMS_APP, RESTARTED);
        awaitEvenSpread(stack);
        awaitSent(sender, 900, "after the restart");
        sender.stopSending();
        outcomes = sender.awaitOutcomes(TRAFFIC.retryWindow().plus(TRAFFIC.attemptTimeout()));
      }

      assertThat(outcomes).as("every vote acknowledged").isNotEmpty()
          .allMatch(o -> o.result() == VoteOutcome.Result.ACKNOWLEDGED, "acknowledged");
      assertThat(outcomes.stream().map(VoteOutcome::route).distinct()).as("routes").hasSize(4);
      Map<String, Long> expected = new TreeMap<>(
          outcomes.stream().collect(Collectors.groupingBy(VoteOutcome::band, Collectors.counting())));
      long resent = outcomes.stream().filter(VoteOutcome::resent).count();
      assertThat(resent).isPositive();

      // Exact totals, asked of every instance: each answers for all, from its stores or its peers'.
      await("every instance's standings equal the acknowledged votes").atMost(SETTLE)
          .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .untilAsserted(() -> {
            for (int i = 0; i < STREAMS; i++) {
              assertThat(standings(stack, i, bands.keySet())).as("instance %d's standings", i).isEqualTo(expected);
            }
          });
      String band = bands.keySet().iterator().next();
      for (int i = 0; i < STREAMS; i++) {
        assertThat(albumCount(stack, i, band)).as("instance %d's albums of %s", i, band).isEqualTo(expected.get(band));
      }

      // No vote counted twice across the rebalance: the clean log holds each voteId once, the resent copies dropped.
      Map<String, Integer> accepted = acceptedCopies(stack, runId);
      assertThat(accepted.values()).as("copies of a voteId in votes.accepted").allMatch(n -> n == 1);
      assertThat(accepted.keySet()).isEqualTo(outcomes.stream().map(VoteOutcome::voteId).collect(Collectors.toSet()));

      try (LivePipeline pipeline = LivePipeline.connect(streamsUrl(stack, 0), URI.create(stack.redisUrl()),
          stack.mongoUri())) {
        assertThat(pipeline.streamsStats().get(Stats.DUPLICATES)).as("resent copies dropped").isGreaterThanOrEqualTo(resent);
        await("both sinks show every vote").atMost(SETTLE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
          assertThat(redisTotals(stack, bands.keySet())).isEqualTo(expected);
          assertThat(pipeline.storedVoteIds(List.of(runId))).hasSize(accepted.size());
        });
      }
      Recount.Verdict verdict = RecountMain.recount(
          new RecountConfig(stack.bootstrapServers(), URI.create(stack.redisUrl()), stack.mongoUri(), SETTLE),
          stack.redis(), stack.mongo());
      assertThat(verdict.agrees()).as(verdict.toString()).isTrue();
    }
  }

  private static void awaitSent(SteadySender sender, long more, String phase) {
    long target = sender.sent() + more;
    await(more + " more votes sent " + phase).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
        .until(() -> sender.sent() >= target);
  }

  /** Waits until every instance is RUNNING with a third of the main sub-topology's tasks. */
  private static void awaitEvenSpread(InProcessStack stack) {
    await("the main sub-topology's tasks spread evenly").atMost(InProcessStack.STARTUP)
        .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .untilAsserted(() -> assertThat(mainTasks(stack)).as("tasks reading votes.raw per instance")
            .containsExactly(IntStream.range(0, STREAMS).mapToObj(i -> (long) PARTITIONS / STREAMS).toArray(Long[]::new)));
  }

  /** Active tasks reading votes.raw (the main sub-topology's) per instance, as each client reports them. */
  private static List<Long> mainTasks(InProcessStack stack) {
    List<Long> counts = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      KafkaStreams streams = stack.streams(i).streams();
      assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
      counts.add(streams.metadataForLocalThreads().stream().flatMap(t -> t.activeTasks().stream())
          .filter(t -> t.topicPartitions().stream().anyMatch(p -> p.topic().equals(Topics.VOTES_RAW.name()))).count());
    }
    return counts;
  }

  private static FaultStack.Endpoints endpoints(InProcessStack stack) {
    return new FaultStack.Endpoints(stack.ingestUrl(), "localhost", stack.ingestGrpc().grpcPort(),
        streamsUrl(stack, 0), URI.create(stack.redisUrl()), stack.mongoUri(), stack.bootstrapServers());
  }

  private static URI streamsUrl(InProcessStack stack, int i) {
    return URI.create("http://localhost:" + stack.streams(i).httpPort());
  }

  private static JsonNode get(URI uri) throws Exception {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s: %s", uri, response.body()).isEqualTo(200);
    return Json.MAPPER.readTree(response.body());
  }

  private static Map<String, Long> standings(InProcessStack stack, int i, java.util.Set<String> bands) throws Exception {
    Map<String, Long> totals = new TreeMap<>();
    for (JsonNode row : get(streamsUrl(stack, i).resolve("/api/standings")).path("standings")) {
      if (bands.contains(row.path("band").asText())) {
        totals.put(row.path("band").asText(), row.path("total").asLong());
      }
    }
    return totals;
  }

  private static long albumCount(InProcessStack stack, int i, String band) throws Exception {
    URI uri = streamsUrl(stack, i).resolve("/api/bands/" + band.replace(" ", "%20") + "/albums");
    long count = 0;
    for (JsonNode album : get(uri).path("albums")) {
      count += album.path("count").asLong();
    }
    return count;
  }

  private static Map<String, Long> redisTotals(InProcessStack stack, java.util.Set<String> bands) {
    Map<String, Long> totals = new TreeMap<>();
    stack.redis().hgetAll(RedisKeys.BAND_TOTALS).forEach((band, total) -> {
      if (bands.contains(band)) {
        totals.put(band, Long.parseLong(total));
      }
    });
    return totals;
  }

  /** How often each of the run's voteIds is in votes.accepted, read committed from start to end. */
  private static Map<String, Integer> acceptedCopies(InProcessStack stack, String runId) {
    Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, Integer> copies = new HashMap<>();
    try (KafkaConsumer<String, VoteEvent> consumer = new KafkaConsumer<>(config,
        Topics.VOTES_ACCEPTED.keySerde().deserializer(), Topics.VOTES_ACCEPTED.valueSerde().deserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(Topics.VOTES_ACCEPTED.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      assertThat(partitions).hasSize(PARTITIONS);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> {
          if (r.value().voteId().startsWith(runId)) {
            copies.merge(r.value().voteId(), 1, Integer::sum);
          }
        });
      }
    }
    return copies;
  }
}
