package gt.quetzal.bench.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandStatsTest {

  private static final String INFO =
      "# Commandstats\r\n"
          + "cmdstat_hincrby:calls=2000,usec=9000,usec_per_call=4.50,rejected_calls=0,failed_calls=0\r\n"
          + "cmdstat_evalsha:calls=12,usec=800,usec_per_call=66.67,rejected_calls=0,failed_calls=1\r\n"
          + "cmdstat_hset:calls=40,usec=80,usec_per_call=2.00,rejected_calls=0,failed_calls=0\r\n"
          + "cmdstat_config|resetstat:calls=1,usec=5,usec_per_call=5.00,rejected_calls=0,failed_calls=0\r\n"
          + "cmdstat_client|setinfo:calls=2,usec=1,usec_per_call=0.50,rejected_calls=0,failed_calls=0\r\n"
          + "cmdstat_hvals:calls=7,usec=10,usec_per_call=1.43,rejected_calls=0,failed_calls=0\r\n";

  @Test
  void parsesCallsPerCommandIncludingSubcommands() {
    CommandStats stats = CommandStats.parse(INFO);

    assertThat(stats.of("hincrby")).isEqualTo(2000);
    assertThat(stats.of("evalsha")).isEqualTo(12);
    assertThat(stats.of("config|resetstat")).isEqualTo(1);
    assertThat(stats.of("missing")).isZero();
    assertThat(stats.calls()).hasSize(6);
  }

  @Test
  void leavesOutTheBenchmarksOwnCommands() {
    CommandStats stats = CommandStats.parse(INFO);

    assertThat(stats.designTotal()).isEqualTo(2000 + 12 + 40);
    assertThat(stats.clientIssued(SinksBench.SCRIPT_INNER)).isEqualTo(12);
  }

  @Test
  void deltaCountsNewCommandsFromZeroAndDropsUnchangedOnes() {
    CommandStats before = CommandStats.parse("cmdstat_hset:calls=40,usec=1\ncmdstat_hvals:calls=7,usec=1\n");
    CommandStats after = CommandStats.parse("cmdstat_hset:calls=45,usec=1\ncmdstat_hvals:calls=7,usec=1\n"
        + "cmdstat_evalsha:calls=3,usec=1\n");

    CommandStats delta = after.minus(before);

    assertThat(delta.calls()).containsOnlyKeys("hset", "evalsha");
    assertThat(delta.of("hset")).isEqualTo(5);
    assertThat(delta.of("evalsha")).isEqualTo(3);
  }
}
