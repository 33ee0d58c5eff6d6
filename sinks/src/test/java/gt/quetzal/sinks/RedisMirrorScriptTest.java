package gt.quetzal.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.sinks.RedisMirrorScript.FieldWrite;
import gt.quetzal.sinks.RedisMirrorScript.HashWrites;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The script's calling convention, which mirror.lua reads by position. */
class RedisMirrorScriptTest {

  @Test
  void encodesKeysAndArgumentsInTheOrderTheScriptReadsThem() {
    List<HashWrites> writes =
        List.of(
            new HashWrites(
                "quetzal:tally:bands",
                "quetzal:guard:tally:bands",
                null,
                List.of(new FieldWrite("Alux Nahual", 12, "3"), new FieldWrite("Viernes Verde", 13, null))),
            new HashWrites(
                "quetzal:timeline:band:Alux Nahual",
                "quetzal:guard:timeline:bands",
                "Alux Nahual|",
                "Alux Nahual",
                List.of(new FieldWrite("1767225600000", 4, "5"))),
            new HashWrites(
                "quetzal:timeline:band:Bohemia",
                "quetzal:guard:timeline:bands",
                "Bohemia|",
                "Bohemia",
                List.of(new FieldWrite("1767225600000", 9, "2"))));

    RedisMirrorScript.Call call =
        RedisMirrorScript.call(
            writes, 1_700_000_000_000L, "{\"kind\":\"tallies\"}", 1440,
            List.of(new RedisMirrorScript.Position("tallies.bands:0", 11, 14)),
            Set.of("quetzal:timeline:band:Bohemia"));

    assertThat(call.keys())
        .containsExactly(
            "quetzal:stats",
            "quetzal:timeline:bands",
            "quetzal:sink:positions",
            // each guard hash once, in first-seen order: the timelines share one
            "quetzal:guard:tally:bands",
            "quetzal:guard:timeline:bands",
            "quetzal:tally:bands",
            "quetzal:timeline:band:Alux Nahual",
            "quetzal:timeline:band:Bohemia");
    assertThat(call.args())
        .containsExactly(
            "1700000000000", "updatedAt", "quetzal:changes", "{\"kind\":\"tallies\"}", "1440",
            // one partition: Redis should hold it up to 11, this call adds up to 14
            "1", "tallies.bands:0", "11", "14",
            // two guard hashes, three groups
            "2", "3",
            // group 1: guard 1, no prefix, not on the stream, type checked, two fields; a delete travels as ''
            "1", "", "", "1", "2", "Alux Nahual", "12", "3", "Viernes Verde", "13", "",
            // group 2: guard 2 under the band's prefix, the band names its stream field
            "2", "Alux Nahual|", "Alux Nahual", "1", "1", "1767225600000", "4", "5",
            // group 3: a hash the sink already wrote is not type-checked again
            "2", "Bohemia|", "Bohemia", "0", "1", "1767225600000", "9", "2");
  }

  @Test
  void anEmptyValueIsRefusedBecauseItWouldReadAsATombstone() {
    assertThatThrownBy(() -> new FieldWrite("Alux Nahual", 1, "")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theScriptShipsInTheJarAndItsShaIsTheOneRedisWillUse() {
    assertThat(RedisMirrorScript.SOURCE).contains("XSETID").contains("HMGET");
    assertThat(RedisMirrorScript.SHA).matches("[0-9a-f]{40}");
    // SHA-1 of "abc", a published test vector: the digest is Redis's script name format.
    assertThat(RedisMirrorScript.sha1("abc")).isEqualTo("a9993e364706816aba3e25717850c26c9cd0d89d");
  }
}
