package gt.quetzal.web;

import gt.quetzal.contract.VoteEvent;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;

/** In-memory stand-ins for the stores, behaving like the real readers (newest first, keyset paging). */
final class Fakes {

  private Fakes() {}

  static final RuntimeException REDIS_REFUSED =
      new IllegalStateException("Failed to connect to any host resolved for DNS name.");
  static final RuntimeException MONGO_TIMEOUT = new IllegalStateException("Timed out while waiting for a server");

  /** Band totals, albums and counters that a test can change, or make fail; counts reads. */
  static final class Standings implements StandingsReader {
    final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
    final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    final AtomicInteger reads = new AtomicInteger();

    Standings(Snapshot initial) {
      snapshot.set(initial);
    }

    @Override
    public Snapshot read() {
      reads.incrementAndGet();
      RuntimeException down = failure.get();
      if (down != null) {
        throw down;
      }
      return snapshot.get();
    }
  }

  static Standings down() {
    Standings standings = new Standings(null);
    standings.failure.set(REDIS_REFUSED);
    return standings;
  }

  /** Three bands (one with markup in its name), two albums of one band, and every counter. */
  static StandingsReader.Snapshot threeBands() {
    return new StandingsReader.Snapshot(
        Map.of("Alux Nahual", 30L, "Malacates Trébol Shop", 50L, "<img src=x onerror=alert(1)>", 20L),
        List.of(
            new AlbumStat("Malacates Trébol Shop", "Niño Dios", 20, 61.5, 2, 100),
            new AlbumStat("Malacates Trébol Shop", "Resaca", 30, 87.25, 40, 99)),
        Map.of("accepted", 100L, "duplicates", 4L, "rejected", 3L, "rejected.unknown_band", 2L, "rejected.late", 1L),
        1_700_000_000_000L);
  }

  /** Timelines held in memory: band → minute → count. */
  static final class Timelines implements TimelineReader {
    final Map<String, Map<Long, Long>> data = new LinkedHashMap<>();
    volatile boolean down;

    @Override
    public Map<Long, Long> band(String band, List<Long> minuteStarts) {
      if (down) {
        throw REDIS_REFUSED;
      }
      Map<Long, Long> counts = new LinkedHashMap<>();
      Map<Long, Long> stored = data.getOrDefault(band, Map.of());
      for (Long minute : minuteStarts) {
        counts.put(minute, stored.getOrDefault(minute, 0L));
      }
      return counts;
    }

    @Override
    public Map<String, Map<Long, Long>> allBands(List<Long> minuteStarts) {
      if (down) {
        throw REDIS_REFUSED;
      }
      Map<String, Map<Long, Long>> all = new LinkedHashMap<>();
      for (String band : data.keySet()) {
        all.put(band, band(band, minuteStarts));
      }
      return all;
    }
  }

  /** A vote log and a rejected log in memory, read the way MongoVoteLogReader reads MongoDB. */
  static final class Log implements VoteLogReader {
    final List<VoteEvent> votes = new ArrayList<>();
    final List<RejectedEntry> rejected = new ArrayList<>();
    final AtomicInteger lastLimit = new AtomicInteger();
    volatile boolean down;

    /** Votes v01..vNN of one band, one second apart; a higher number is newer. */
    static Log ofVotes(int n) {
      Log log = new Log();
      for (int i = 1; i <= n; i++) {
        String band = i % 3 == 0 ? "Alux Nahual" : "Malacates Trébol Shop";
        log.votes.add(new VoteEvent(String.format("v%02d", i), band, "Resaca", 2002, i, null, "http", 1_000L * i));
      }
      return log;
    }

    @Override
    public LogPage<VoteEvent> votes(String band, LogCursor before, int limit) {
      check();
      lastLimit.set(limit);
      return page(votes, v -> band == null || v.name().equals(band), VoteEvent::receivedAt, VoteEvent::voteId,
          before, limit);
    }

    @Override
    public Optional<VoteEvent> vote(String voteId) {
      check();
      return votes.stream().filter(v -> v.voteId().equals(voteId)).findFirst();
    }

    @Override
    public LogPage<RejectedEntry> rejected(String reason, LogCursor before, int limit) {
      check();
      lastLimit.set(limit);
      return page(rejected, r -> reason == null || r.reason().equals(reason), RejectedEntry::rejectedAt,
          RejectedEntry::id, before, limit);
    }

    private void check() {
      if (down) {
        throw MONGO_TIMEOUT;
      }
    }

    private static <T> LogPage<T> page(
        List<T> all, Predicate<T> filter, Function<T, Long> at, Function<T, String> id, LogCursor before, int limit) {
      Comparator<T> newestFirst = Comparator.comparing(at).thenComparing(id).reversed();
      List<T> matching =
          all.stream()
              .filter(filter)
              .filter(
                  t -> before == null
                      || at.apply(t) < before.at()
                      || (at.apply(t) == before.at() && id.apply(t).compareTo(before.id()) < 0))
              .sorted(newestFirst)
              .toList();
      List<T> items = matching.subList(0, Math.min(limit, matching.size()));
      LogCursor next = null;
      if (matching.size() > limit) {
        T last = items.get(items.size() - 1);
        next = new LogCursor(at.apply(last), id.apply(last));
      }
      return new LogPage<>(items, next);
    }
  }

  /** A change source the test fires by hand. */
  static final class Changes implements ChangeSource {
    volatile Listener listener;
    volatile boolean closed;

    @Override
    public void start(Listener listener) {
      this.listener = listener;
    }

    @Override
    public void close() {
      closed = true;
    }

    void connected() {
      listener.onConnected();
    }

    void change() {
      listener.onChange("{\"kind\":\"bands\",\"changed\":1,\"updatedAt\":1}");
    }

    void lost() {
      listener.onLost(new IllegalStateException("connection reset"));
    }
  }

  /** A web app over the given fakes with a hub that is not started (no SSE needed). */
  static WebApp app(StandingsReader standings, Timelines timelines, VoteLogReader log) {
    PrometheusMeterRegistry registry = WebApp.newRegistry();
    LiveHub hub = new LiveHub(standings, new Changes(), new VoteRate(), registry);
    return new WebApp(timelines, log, hub, registry);
  }

  static WebApp app(StandingsReader standings, VoteLogReader log) {
    return app(standings, new Timelines(), log);
  }
}
