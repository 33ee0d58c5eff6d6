package gt.quetzal.bench.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.bench.ProcStats;
import gt.quetzal.contract.Catalog;
import gt.quetzal.kit.EnvReader;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.VoteEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamsBenchPartsTest {

  private static final Catalog CATALOG = Catalog.load(Path.of("..", "config", "catalog.json"));
  private static final long T0 = 1_790_000_000_000L;

  @Test
  void mixHasOnePercentRepeatsAndOnePercentInvalidAcrossChunks() throws Exception {
    int votes = 3 * StreamsVoteMix.CHUNK + 123; // several chunks and a short last one
    Map<String, byte[]> validById = new HashMap<>();
    Set<String> freshIds = new HashSet<>();
    List<Long> timestamps = new ArrayList<>();
    Set<String> bands = new HashSet<>();
    long[] seen = new long[3];
    Set<String> catalogBands = new HashSet<>();
    CATALOG.bands().forEach(b -> catalogBands.add(b.name()));

    StreamsVoteMix.Counts counts =
        new StreamsVoteMix(CATALOG, votes, 7, T0, 3_000)
            .forEach(
                vote -> {
                  timestamps.add(vote.timestamp());
                  seen[vote.kind().ordinal()]++;
                  switch (vote.kind()) {
                    case VALID -> {
                      assertThat(freshIds.add(vote.key())).as("fresh voteId %s", vote.key()).isTrue();
                      VoteEvent event = read(vote.value());
                      assertThat(event.voteId()).isEqualTo(vote.key());
                      assertThat(event.receivedAt()).isEqualTo(vote.timestamp());
                      assertThat(catalogBands).contains(event.name());
                      bands.add(event.name());
                      validById.put(vote.key(), vote.value());
                    }
                    case DUPLICATE -> {
                      // A retry of an earlier valid vote: same key, so it lands on the same partition.
                      assertThat(validById).containsKey(vote.key());
                      VoteEvent copy = read(vote.value());
                      VoteEvent original = read(validById.get(vote.key()));
                      assertThat(copy.name()).isEqualTo(original.name());
                      assertThat(copy.album()).isEqualTo(original.album());
                      assertThat(copy.rank()).isEqualTo(original.rank());
                    }
                    case INVALID -> {
                      assertThat(freshIds.add(vote.key())).isTrue();
                      assertThat(tree(vote.value()).path("voteId").asText()).isEqualTo(vote.key());
                    }
                  }
                });

    assertThat(counts.total()).isEqualTo(votes);
    assertThat(new long[] {counts.valid(), counts.duplicates(), counts.invalid()}).containsExactly(seen);
    assertThat(counts.duplicates()).isBetween((long) (votes * 0.0085), (long) (votes * 0.0115));
    assertThat(counts.invalid()).isBetween((long) (votes * 0.0085), (long) (votes * 0.0115));
    assertThat(bands).as("a realistic mix reaches most bands").hasSizeGreaterThan(catalogBands.size() / 2);
    // Event time only moves forward, so no vote is late, and spans the simulated contest.
    for (int i = 1; i < timestamps.size(); i++) {
      assertThat(timestamps.get(i)).isGreaterThanOrEqualTo(timestamps.get(i - 1));
    }
    assertThat(timestamps.get(0)).isEqualTo(T0);
    assertThat(timestamps.get(votes - 1)).isLessThan(T0 + StreamsVoteMix.spanMillis(votes, 3_000));
  }

  @Test
  void sameSeedGivesTheSameRecords() {
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    new StreamsVoteMix(CATALOG, 2_000, 3, T0, 1_000).forEach(v -> a.add(v.key() + new String(v.value())));
    new StreamsVoteMix(CATALOG, 2_000, 3, T0, 1_000).forEach(v -> b.add(v.key() + new String(v.value())));
    List<String> other = new ArrayList<>();
    new StreamsVoteMix(CATALOG, 2_000, 4, T0, 1_000).forEach(v -> other.add(v.key() + new String(v.value())));
    assertThat(a).isEqualTo(b).isNotEqualTo(other);
  }

  @Test
  void procStatusAndStatAreParsed() {
    String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\n";
    assertThat(ProcStats.parseVmRss(status)).hasValue(123456L * 1024);
    assertThat(ProcStats.parseVmRss("Name:\tzombie\n")).isEmpty();
    // A command name with spaces and a ')' must not shift the fields; utime 250 + stime 50 ticks.
    String stat = "4242 (my (odd) java) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 30 0 123 456 789";
    assertThat(ProcStats.parseCpuMillis(stat)).isEqualTo(3_000);
  }

  @Test
  void consumerPerformanceResultIsReadByColumnName() {
    List<String> lines =
        List.of(
            "[2026-11-26 16:00:00,000] WARN something",
            "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec",
            "2026-11-26 16:00:00:000, 2026-11-26 16:00:02:000, 400.0, 200.0, 2000000, 1000000.0, 500, 1500, 266.6, 1333333.3");
    ConsumerBaseline.Summary summary = ConsumerBaseline.parse(lines);
    assertThat(summary.records()).isEqualTo(2_000_000);
    assertThat(summary.recordsPerSec()).isEqualTo(1_000_000.0);
    assertThat(summary.fetchRecordsPerSec()).isEqualTo(1_333_333.3);
    assertThat(summary.rebalanceMs()).isEqualTo(500);
    assertThatThrownBy(() -> ConsumerBaseline.parse(List.of("ERROR no brokers"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void configDefaultsToTwoMillionVotesAndTheLauncherJvmOptions() {
    Map<String, String> env = Map.of("CATALOG_FILE", "../config/catalog.json", "BENCH_STREAMS_CLASSPATH", "x.jar");
    StreamsBenchConfig config = StreamsBenchConfig.fromEnv(env);
    assertThat(config.votes()).isEqualTo(2_000_000);
    assertThat(config.streamsJvmOptions()).contains("-Xmx192m", "-XX:+UseSerialGC");
    assertThat(config.output()).isNull();
    assertThat(config.apps()).containsExactly(StreamsBenchConfig.App.QUETZAL);

    Map<String, String> quick = new HashMap<>(env);
    quick.put("BENCH_STREAMS_VOTES", "20000");
    quick.put("BENCH_STREAMS_JVM_OPTS", "  -Xmx256m   -XX:StartFlightRecording=filename=s.jfr ");
    StreamsBenchConfig small = StreamsBenchConfig.fromEnv(quick);
    assertThat(small.votes()).isEqualTo(20_000);
    assertThat(small.streamsJvmOptions()).containsExactly("-Xmx256m", "-XX:StartFlightRecording=filename=s.jfr");

    Map<String, String> floor = new HashMap<>(env);
    floor.put("BENCH_STREAMS_APP", "floor-dedup");
    assertThat(StreamsBenchConfig.fromEnv(floor).apps()).containsExactly(StreamsBenchConfig.App.FLOOR_DEDUP);
    floor.put("BENCH_STREAMS_APP", "floor-copy, quetzal,floor-copy");
    assertThat(StreamsBenchConfig.fromEnv(floor).apps())
        .containsExactly(StreamsBenchConfig.App.FLOOR_COPY, StreamsBenchConfig.App.QUETZAL);
    floor.put("BENCH_STREAMS_APP", "all");
    assertThat(StreamsBenchConfig.fromEnv(floor).apps())
        .containsExactly(
            StreamsBenchConfig.App.QUETZAL, StreamsBenchConfig.App.FLOOR_DEDUP, StreamsBenchConfig.App.FLOOR_COPY);

    Map<String, String> bad = new HashMap<>(env);
    bad.put("BENCH_STREAMS_VOTES", "lots");
    bad.put("CATALOG_FILE", "nope.json");
    bad.put("BENCH_STREAMS_APP", "floor");
    assertThatThrownBy(() -> StreamsBenchConfig.fromEnv(bad))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("BENCH_STREAMS_VOTES")
        .hasMessageContaining("BENCH_STREAMS_APP=floor: 'floor' is not one of")
        .hasMessageContaining("nope.json");
  }

  private static com.fasterxml.jackson.databind.JsonNode tree(byte[] value) {
    try {
      return Json.MAPPER.readTree(value);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static VoteEvent read(byte[] value) {
    try {
      return Json.MAPPER.readValue(value, VoteEvent.class);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
