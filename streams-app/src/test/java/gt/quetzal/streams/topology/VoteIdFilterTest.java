package gt.quetzal.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VoteIdFilterTest {

  private static final int ONE_MIB = 8 * 1024 * 1024;

  @Test
  void neverSaysNoToAVoteIdItWasGiven() {
    VoteIdFilter filter = new VoteIdFilter(ONE_MIB);
    List<String> added = voteIds(new Random(1), 500_000);
    added.forEach(filter::add);

    assertThat(added).allMatch(filter::mightContain);
  }

  @Test
  void saysMaybeToFewOthersAtItsDesignLoad() {
    VoteIdFilter filter = new VoteIdFilter(ONE_MIB);
    voteIds(new Random(2), 500_000).forEach(filter::add);

    long maybes = voteIds(new Random(3), 200_000).stream().filter(filter::mightContain).count();

    // 5 bits in one of 131,072 words with 500,000 voteIds: 756 of 200,000 (0.38%; the words fill
    // unevenly); a weak hash, or bits not spread within the word, shows far more.
    assertThat(maybes).as("false maybes of 200,000").isBetween(1L, 1_000L);
  }

  @Test
  void voteIdsThatDifferInOneCharacterHashApart() {
    assertThat(VoteIdFilter.hash("v-1")).isNotEqualTo(VoteIdFilter.hash("v-2"));
    assertThat(VoteIdFilter.hash("ab")).isNotEqualTo(VoteIdFilter.hash("ba"));
    VoteIdFilter filter = new VoteIdFilter(64 * 64);
    filter.add("v-1");
    assertThat(filter.mightContain("v-2")).isFalse();
    assertThat(filter.mightContain("v-1")).isTrue();
  }

  @Test
  void refusesASizeThatIsNotAPowerOfTwo() {
    assertThatThrownBy(() -> new VoteIdFilter(1000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VoteIdFilter(32)).isInstanceOf(IllegalArgumentException.class);
  }

  private static List<String> voteIds(Random random, int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(new UUID(random.nextLong(), random.nextLong()).toString());
    }
    return ids;
  }
}
