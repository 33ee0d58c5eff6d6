package gt.quetzal.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * A vote as ingest publishes it to {@code votes.raw}: the seed's fields, typed, plus what ingest adds.
 *
 * @param voteId     idempotency key; ingest generates a time-ordered UUIDv7 when the client sent none
 * @param name       the band, trimmed and NFC-normalised
 * @param album      the album voted for
 * @param year       the album's release year
 * @param rank       the voter's rating, 1 to 100
 * @param voterId    optional, {@code null} when absent
 * @param channel    {@code http} or {@code grpc}
 * @param receivedAt epoch millis: on {@code votes.raw} ingest's clock at accept; on {@code
 *                   votes.accepted} the time the vote is counted in, the broker's append time of its
 *                   {@code votes.raw} record (see the streams app's README, "Event time")
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VoteEvent(
    String voteId,
    String name,
    String album,
    int year,
    int rank,
    String voterId,
    String channel,
    long receivedAt) {

  public static final String CHANNEL_HTTP = "http";
  public static final String CHANNEL_GRPC = "grpc";

  public VoteEvent {
    Objects.requireNonNull(voteId, "voteId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(album, "album");
    Objects.requireNonNull(channel, "channel");
  }
}
