package gt.quetzal.streams.query;

import gt.quetzal.contract.AlbumTally;
import java.util.List;
import java.util.Map;

/**
 * What the HTTP layer asks of the tallies. The seam between Javalin and Kafka Streams: {@link
 * LocalTallies} reads this instance's stores, {@link RoutingTallies} answers for the whole
 * application by asking the owning instances; tests pass a fake.
 *
 * <p>Every method may throw {@link StoreUnavailableException} while a store cannot be queried
 * (starting, rebalancing, its owner unreachable); the caller should retry shortly.
 */
public interface TallyQueries {

  /** The longest leaderboard a query may ask for. */
  int MAX_LEADERBOARD_SIZE = 1_000;

  /** Band name to absolute total, in no particular order. */
  Map<String, Long> bandTotals();

  /** The band's albums with their rank statistics, in no particular order; empty without votes. */
  List<AlbumTally> albums(String band);

  /** The band's per-minute counts for windows starting in {@code [fromMs, toMs]}, oldest first. */
  List<MinuteCount> timeline(String band, long fromMs, long toMs);

  /** Stat name ({@code gt.quetzal.contract.Stats}) to absolute count. */
  Map<String, Long> stats();

  /** One minute of a band's timeline. */
  record MinuteCount(long minuteStart, long count) {}
}
