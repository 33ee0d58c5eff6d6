package gt.quetzal.bench.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.load.traffic.TrafficGenerator;
import gt.quetzal.load.traffic.TrafficGenerator.Kind;
import gt.quetzal.load.traffic.TrafficOptions;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The {@code votes.raw} records of the streams benchmark, as ingest would have written them: keyed by
 * voteId, a JSON {@link VoteEvent} value, record timestamp = {@code receivedAt}.
 *
 * <p>The mix comes from {@link TrafficGenerator} (the catalog's bands and albums with a Zipf skew,
 * repeats of earlier voteIds, one {@code Flaw} per invalid vote), generated in chunks of
 * {@value #CHUNK} rows, each with its own seed, so two million votes never sit in memory at once. A
 * repeat therefore copies a vote of the same chunk: a client retry, close in time to the original.
 * Invalid votes are written as they are (ingest would refuse most of them, but anything with
 * producer rights can write to {@code votes.raw}, and the streams app rejects them all).
 *
 * <p>Event time runs at {@code eventRate} votes per second of simulated contest, ending about now,
 * so votes spread over realistic minute windows and no vote is late.
 */
final class StreamsVoteMix {

  static final int CHUNK = 50_000;
  static final double DUPLICATE_RATE = 0.01;
  static final double INVALID_RATE = 0.01;

  /** One record for {@code votes.raw}. */
  record Vote(String key, byte[] value, long timestamp, Kind kind) {}

  /**
   * How the valid votes spread over the bands: {@code zipf} (band k weighs 1/k, the other benches'
   * mix), {@code uniform}, or {@code hot} (one band, the catalog's first, takes {@code hotShare} of
   * them; the rest uniform): the case a combiner exists for.
   */
  enum Skew {
    ZIPF("zipf", TrafficOptions.DEFAULT_SKEW),
    UNIFORM("uniform", 0),
    HOT("hot", 0);

    final String label;
    final double zipf;

    Skew(String label, double zipf) {
      this.label = label;
      this.zipf = zipf;
    }

    static Skew of(String label) {
      for (Skew skew : values()) {
        if (skew.label.equals(label)) {
          return skew;
        }
      }
      return null;
    }
  }

  /** What was written, hence what the streams app's stats and standings must end at. */
  record Counts(long valid, long duplicates, long invalid, Map<String, Long> validByBand) {
    Counts {
      validByBand = Map.copyOf(validByBand);
    }

    long total() {
      return valid + duplicates + invalid;
    }
  }

  private final Catalog catalog;
  private final long votes;
  private final long seed;
  private final long firstTimestamp;
  private final double eventRate;
  private final Skew skew;
  private final double hotShare;

  StreamsVoteMix(Catalog catalog, long votes, long seed, long firstTimestamp, double eventRate) {
    this(catalog, votes, seed, firstTimestamp, eventRate, Skew.ZIPF, 0);
  }

  StreamsVoteMix(Catalog catalog, long votes, long seed, long firstTimestamp, double eventRate, Skew skew, double hotShare) {
    if (votes < 1 || eventRate <= 0) {
      throw new IllegalArgumentException("votes and eventRate must be positive");
    }
    this.catalog = catalog;
    this.votes = votes;
    this.seed = seed;
    this.firstTimestamp = firstTimestamp;
    this.eventRate = eventRate;
    this.skew = skew;
    this.hotShare = hotShare;
  }

  /** Hands every vote to {@code sink} in order and returns the counts by kind. */
  Counts forEach(Consumer<Vote> sink) {
    long valid = 0;
    long duplicates = 0;
    long invalid = 0;
    long index = 0;
    Map<String, Long> byBand = new HashMap<>();
    for (long chunkStart = 0, chunk = 0; chunkStart < votes; chunkStart += CHUNK, chunk++) {
      int size = (int) Math.min(CHUNK, votes - chunkStart);
      TrafficOptions options =
          new TrafficOptions(
              size,
              Path.of("unused"),
              skew.zipf,
              DUPLICATE_RATE,
              INVALID_RATE,
              seed + chunk,
              true,
              Path.of("unused"));
      List<TrafficGenerator.Row> rows = new TrafficGenerator(catalog, options).generate();
      if (skew == Skew.HOT) {
        rows = heatUp(rows, new Random(~(seed + chunk)));
      }
      for (TrafficGenerator.Row row : rows) {
        long timestamp = firstTimestamp + (long) (index * 1000.0 / eventRate);
        String channel = (index & 1) == 0 ? VoteEvent.CHANNEL_HTTP : VoteEvent.CHANNEL_GRPC;
        sink.accept(encode(row, timestamp, channel));
        index++;
        switch (row.kind()) {
          case VALID -> {
            valid++;
            byBand.merge(row.vote().get("name"), 1L, Long::sum);
          }
          case DUPLICATE -> duplicates++;
          case INVALID -> invalid++;
        }
      }
    }
    return new Counts(valid, duplicates, invalid, byBand);
  }

  /**
   * Moves valid votes to the hot band (a random album of it) so that it ends with {@code hotShare}
   * of them: of uniform votes over n bands it already has 1/n, so a fraction (share − 1/n) / (1 − 1/n)
   * moves. A repeat follows its original, as a retry would.
   */
  private List<TrafficGenerator.Row> heatUp(List<TrafficGenerator.Row> rows, Random random) {
    Catalog.Band hot = catalog.bands().get(0);
    double n = catalog.bands().size();
    double move = Math.max(0, (hotShare - 1 / n) / (1 - 1 / n));
    Map<String, Map<String, String>> moved = new HashMap<>();
    List<TrafficGenerator.Row> out = new ArrayList<>(rows.size());
    for (TrafficGenerator.Row row : rows) {
      Map<String, String> vote = row.vote();
      String voteId = vote.get("voteId");
      if (row.kind() == Kind.VALID && random.nextDouble() < move) {
        Catalog.Album album = hot.albums().get(random.nextInt(hot.albums().size()));
        vote = new LinkedHashMap<>(vote);
        vote.put("name", hot.name());
        vote.put("album", album.title());
        vote.put("year", Integer.toString(album.year()));
        moved.put(voteId, vote);
      } else if (row.kind() == Kind.DUPLICATE && moved.containsKey(voteId)) {
        vote = new LinkedHashMap<>(moved.get(voteId));
      }
      out.add(new TrafficGenerator.Row(vote, row.kind(), row.flaw()));
    }
    return out;
  }

  /** How long the simulated contest lasts, for choosing {@code firstTimestamp}. */
  static long spanMillis(long votes, double eventRate) {
    return (long) Math.ceil(votes * 1000.0 / eventRate);
  }

  static Vote encode(TrafficGenerator.Row row, long timestamp, String channel) {
    Map<String, String> fields = row.vote();
    String voteId = fields.get("voteId");
    try {
      byte[] value;
      if (row.kind() == Kind.INVALID) {
        // The flaw may have made a field unrepresentable in VoteEvent (rank "ninety"), so keep the map.
        Map<String, Object> raw = new LinkedHashMap<>(fields);
        raw.put("channel", channel);
        raw.put("receivedAt", timestamp);
        value = Json.MAPPER.writeValueAsBytes(raw);
      } else {
        VoteEvent event =
            new VoteEvent(
                voteId,
                fields.get("name"),
                fields.get("album"),
                Integer.parseInt(fields.get("year")),
                Integer.parseInt(fields.get("rank")),
                null,
                channel,
                timestamp);
        value = Json.MAPPER.writeValueAsBytes(event);
      }
      return new Vote(voteId, value, timestamp, row.kind());
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
