package gt.quetzal.bench.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import gt.quetzal.kit.EnvReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model's arithmetic on a fixture result set with round figures, each expected value worked out
 * by hand in the comment above it (default assumptions: headroom 0.6, mix 40/10/10/40, RF 3, 3
 * records per vote, 2-core brokers, 1-core pods, 2 threads per instance, at least 2 of each).
 */
class CapacityModelTest {

  private static final Path FIXTURE = Path.of("src", "test", "resources", "capacity-fixture");

  private static MeasuredCosts fixture() {
    return MeasuredCosts.read(FIXTURE, "hot");
  }

  @Test
  void readsTheFiguresOfTheRightRuns() {
    MeasuredCosts costs = fixture();
    assertThat(costs.ingestUsPerVote())
        .containsExactlyInAnyOrderEntriesOf(Map.of("http-single", 100.0, "http-batch", 5.0, "grpc-unary", 50.0, "grpc-stream", 5.0));
    assertThat(costs.brokerUsPerRecord()).isEqualTo(5.0);
    // The hot run with one instance (30 µs), not the two-instance one (40) nor the uniform one (25).
    assertThat(costs.streamsUsPerVote()).isEqualTo(30.0);
    assertThat(costs.streamsRssMiB()).isEqualTo(300);
    assertThat(costs.sinksUsPerVote()).isEqualTo(2.0);
    assertThat(MeasuredCosts.read(FIXTURE, "uniform").streamsUsPerVote()).isEqualTo(25.0);
  }

  @Test
  void sizesTenThousandVotesPerSecond() {
    CapacityModel.Profile p = new CapacityModel(fixture(), Assumptions.defaults()).size(10_000);
    // streams: 10k × 30 µs = 0.3 core / 0.6 = 0.5 → 1 thread; 2 instances (minimum) × 1 thread;
    // partitions ≥ 2 × 2 threads → 6
    assertThat(p.streamsCores()).isCloseTo(0.5, within(1e-12));
    assertThat(p.streamsInstances()).isEqualTo(2);
    assertThat(p.threadsPerInstance()).isEqualTo(1);
    assertThat(p.partitions()).isEqualTo(6);
    // http-single 10k × 0.4 × 100 µs = 0.4 / 0.6; batch 10k × 0.1 × 5 = 0.005 / 0.6; unary 0.05 / 0.6; stream 0.02 / 0.6
    assertThat(p.routeCores().get("http-single")).isCloseTo(0.4 / 0.6, within(1e-12));
    assertThat(p.routeCores().get("http-batch")).isCloseTo(0.005 / 0.6, within(1e-12));
    assertThat(p.routeCores().get("grpc-unary")).isCloseTo(0.05 / 0.6, within(1e-12));
    assertThat(p.routeCores().get("grpc-stream")).isCloseTo(0.02 / 0.6, within(1e-12));
    assertThat(p.ingestHttpReplicas()).isEqualTo(2);
    assertThat(p.ingestGrpcReplicas()).isEqualTo(2);
    // ceilings: 2 × 10k votes all on http-single, 100 µs: 2 cores / 0.6 = 3.33 → 4; all on grpc-unary, 50 µs: 1 / 0.6 → 2
    assertThat(p.ingestHttpMax()).isEqualTo(4);
    assertThat(p.ingestGrpcMax()).isEqualTo(2);
    // brokers: 10k × 3 records × 3 copies × 5 µs = 0.45 / 0.6 = 0.75 core → the RF's 3 brokers
    assertThat(p.brokerCores()).isCloseTo(0.75, within(1e-12));
    assertThat(p.brokers()).isEqualTo(3);
    assertThat(p.sinksInstances()).isEqualTo(2);
    // cores: 6 one-core pods + 2 threads + 3 brokers × 2 = 14; memory 4 × 136 + 2 × 300 + 2 × 136 + 3 × 2048
    assertThat(p.totalCores()).isEqualTo(14);
    assertThat(p.memoryMiB()).isEqualTo(7_560);
  }

  @Test
  void sizesOneHundredThousandVotesPerSecond() {
    CapacityModel.Profile p = new CapacityModel(fixture(), Assumptions.defaults()).size(100_000);
    // streams: 3 cores / 0.6 = 5 threads → 3 instances × 2 threads = 6; partitions ≥ 12 → 12
    assertThat(p.streamsCores()).isCloseTo(5.0, within(1e-12));
    assertThat(p.streamsInstances()).isEqualTo(3);
    assertThat(p.threadsPerInstance()).isEqualTo(2);
    assertThat(p.streamsThreads()).isEqualTo(6);
    assertThat(p.partitions()).isEqualTo(12);
    // http: 4 / 0.6 + 0.05 / 0.6 = 6.75 → 7; grpc: 0.5 / 0.6 + 0.2 / 0.6 = 1.17 → 2
    assertThat(p.ingestHttpReplicas()).isEqualTo(7);
    assertThat(p.ingestGrpcReplicas()).isEqualTo(2);
    // ceilings: 200k × 100 µs = 20 cores / 0.6 = 33.3 → 34; 200k × 50 µs = 10 / 0.6 = 16.7 → 17
    assertThat(p.ingestHttpMax()).isEqualTo(34);
    assertThat(p.ingestGrpcMax()).isEqualTo(17);
    // brokers: 4.5 / 0.6 = 7.5 cores → 4 brokers of 2
    assertThat(p.brokerCores()).isCloseTo(7.5, within(1e-12));
    assertThat(p.brokers()).isEqualTo(4);
    // sinks: 0.2 / 0.6 → the minimum 2
    assertThat(p.sinksInstances()).isEqualTo(2);
    // 7 + 2 + 2 pods + 6 threads + 4 × 2 = 25; 9 × 136 + 3 × 300 + 2 × 136 + 4 × 2048
    assertThat(p.totalCores()).isEqualTo(25);
    assertThat(p.memoryMiB()).isEqualTo(10_588);
  }

  @Test
  void theAssumptionsMoveTheAnswer() {
    Assumptions allSingle = Assumptions.fromEnv(Map.of("CAPACITY_MIX", "http-single=1"));
    // 100k × 100 µs = 10 cores / 0.6 = 16.67 → 17 ingest-http pods; gRPC keeps its minimum
    CapacityModel.Profile p = new CapacityModel(fixture(), allSingle).size(100_000);
    assertThat(p.ingestHttpReplicas()).isEqualTo(17);
    assertThat(p.ingestGrpcReplicas()).isEqualTo(2);
    // Headroom 1: streams 3.0 cores exactly → 3 threads (not 4 from rounding dust) → 2 × 2 → partitions ≥ 8 → 12
    CapacityModel.Profile full = new CapacityModel(fixture(), Assumptions.fromEnv(Map.of("CAPACITY_HEADROOM", "1"))).size(100_000);
    assertThat(full.streamsInstances()).isEqualTo(2);
    assertThat(full.threadsPerInstance()).isEqualTo(2);
    assertThat(full.partitions()).isEqualTo(12);
    // Uniform votes cost 25 µs: 2.5 / 0.6 = 4.17 → 5 threads, as for hot; the cores needed differ
    CapacityModel.Profile uniform =
        new CapacityModel(MeasuredCosts.read(FIXTURE, "uniform"), Assumptions.defaults()).size(100_000);
    assertThat(uniform.streamsCores()).isCloseTo(2.5 / 0.6, within(1e-12));
  }

  @Test
  void partitionsComeFromTheLadder() {
    assertThat(CapacityModel.partitions(1)).isEqualTo(3);
    assertThat(CapacityModel.partitions(12)).isEqualTo(12);
    assertThat(CapacityModel.partitions(13)).isEqualTo(24);
    assertThatThrownBy(() -> CapacityModel.partitions(385)).hasMessageContaining("beyond the ladder");
  }

  @Test
  void missingResultsAreNamed(@TempDir Path dir) throws Exception {
    Files.copy(FIXTURE.resolve("ingest.json"), dir.resolve("ingest.json"));
    Files.writeString(dir.resolve("streams.json"), Files.readString(FIXTURE.resolve("streams.json")).replace("\"hot\"", "\"zipf\""));
    assertThatThrownBy(() -> MeasuredCosts.read(dir, "hot"))
        .hasMessageContaining("sinks.json (run ./quetzal bench sinks)")
        .hasMessageContaining("cpuUsPerVote of streams quetzal (skew hot)");
  }

  @Test
  void badAssumptionsNameTheirVariables() {
    assertThatThrownBy(() -> Assumptions.fromEnv(Map.of(
            "CAPACITY_MIX", "http-single=0.5,grpc-stream=0.4", "CAPACITY_HEADROOM", "1.5", "CAPACITY_SKEW", "lukewarm")))
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("CAPACITY_MIX=http-single=0.5,grpc-stream=0.4: the shares add up to 0.9")
        .hasMessageContaining("CAPACITY_HEADROOM=1.5")
        .hasMessageContaining("CAPACITY_SKEW=lukewarm");
  }
}
