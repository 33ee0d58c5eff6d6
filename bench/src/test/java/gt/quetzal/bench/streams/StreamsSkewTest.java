package gt.quetzal.bench.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.kit.EnvReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hot-band and uniform mixes, and the options that choose skews, instance counts and partitions. */
class StreamsSkewTest {

  private static final Catalog CATALOG = Catalog.load(Path.of("..", "config", "catalog.json"));
  private static final long T0 = 1_700_000_000_000L;
  private static final int VOTES = 2 * StreamsVoteMix.CHUNK + 777;

  /** Band of each valid vote, by voteId, and the counts, as the bench would write them. */
  private static Map<String, Long> bandsOf(StreamsVoteMix mix, Map<String, String> bandById, StreamsVoteMix.Counts[] counts) {
    Map<String, Long> byBand = new HashMap<>();
    counts[0] = mix.forEach(vote -> {
      JsonNode value = read(vote.value());
      String band = value.path("name").asText();
      switch (vote.kind()) {
        case VALID -> {
          byBand.merge(band, 1L, Long::sum);
          bandById.put(vote.key(), band);
        }
        case DUPLICATE -> assertThat(band).as("a retry names its original's band").isEqualTo(bandById.get(vote.key()));
        case INVALID -> { }
      }
    });
    return byBand;
  }

  @Test
  void theHotBandTakesHalfTheValidVotesAndTheCountsSayWhichBandGotWhat() {
    StreamsVoteMix.Counts[] counts = new StreamsVoteMix.Counts[1];
    Map<String, Long> byBand =
        bandsOf(new StreamsVoteMix(CATALOG, VOTES, 5, T0, 3_000, StreamsVoteMix.Skew.HOT, 0.5), new HashMap<>(), counts);
    String hot = CATALOG.bands().get(0).name();
    assertThat((double) byBand.get(hot) / counts[0].valid()).isBetween(0.49, 0.51);
    assertThat(counts[0].validByBand()).isEqualTo(byBand);
    assertThat(byBand.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(counts[0].valid());
    // The others share the rest about evenly: each near 0.5 / 7 of the valid votes.
    double other = 0.5 / (CATALOG.bands().size() - 1);
    byBand.forEach((band, n) -> {
      if (!band.equals(hot)) {
        assertThat((double) n / counts[0].valid()).isBetween(other * 0.9, other * 1.1);
      }
    });
  }

  @Test
  void uniformVotesSpreadEvenly() {
    StreamsVoteMix.Counts[] counts = new StreamsVoteMix.Counts[1];
    Map<String, Long> byBand =
        bandsOf(new StreamsVoteMix(CATALOG, VOTES, 5, T0, 3_000, StreamsVoteMix.Skew.UNIFORM, 0.5), new HashMap<>(), counts);
    double even = 1.0 / CATALOG.bands().size();
    assertThat(byBand).hasSize(CATALOG.bands().size());
    byBand.values().forEach(n -> assertThat((double) n / counts[0].valid()).isBetween(even * 0.95, even * 1.05));
  }

  @Test
  void skewsInstancesAndPartitionsAreOptions() {
    Map<String, String> env = new HashMap<>(Map.of("CATALOG_FILE", "../config/catalog.json", "BENCH_STREAMS_CLASSPATH", "x.jar"));
    StreamsBenchConfig defaults = StreamsBenchConfig.fromEnv(env);
    assertThat(defaults.skews()).containsExactly(StreamsVoteMix.Skew.ZIPF);
    assertThat(defaults.instances()).containsExactly(1);
    assertThat(defaults.partitions()).isZero();
    assertThat(defaults.hotShare()).isEqualTo(0.5);
    assertThat(defaults.resultsDir()).isEqualTo(Path.of(".quetzal/bench-results"));

    env.putAll(Map.of("BENCH_STREAMS_SKEW", "uniform, hot", "BENCH_STREAMS_INSTANCES", "1,2,3", "BENCH_STREAMS_PARTITIONS", "12",
        "BENCH_STREAMS_HOT_SHARE", "0.6", "BENCH_RESULTS_DIR", "/tmp/r"));
    StreamsBenchConfig set = StreamsBenchConfig.fromEnv(env);
    assertThat(set.skews()).containsExactly(StreamsVoteMix.Skew.UNIFORM, StreamsVoteMix.Skew.HOT);
    assertThat(set.instances()).containsExactly(1, 2, 3);
    assertThat(set.partitions()).isEqualTo(12);
    assertThat(set.hotShare()).isEqualTo(0.6);
    assertThat(set.resultsDir()).isEqualTo(Path.of("/tmp/r"));

    env.putAll(Map.of("BENCH_STREAMS_SKEW", "hot,tepid", "BENCH_STREAMS_INSTANCES", "1,0", "BENCH_STREAMS_HOT_SHARE", "1"));
    assertThatThrownBy(() -> StreamsBenchConfig.fromEnv(env))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("'tepid' is not one of zipf, uniform, hot")
        .hasMessageContaining("'0' is not an instance count from 1 to 8")
        .hasMessageContaining("BENCH_STREAMS_HOT_SHARE=1 is not a share");
    assertThat(List.of(StreamsVoteMix.Skew.values())).hasSize(3);
  }

  private static JsonNode read(byte[] value) {
    try {
      return Json.MAPPER.readTree(value);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
