package gt.quetzal.ingest.core;

import java.util.List;

/**
 * A vote as a transport parsed it, before any rule is applied. Values are loosely typed on purpose:
 * the validator, not the transport, decides what a wrong type means, so both routes word it alike.
 *
 * <p>Each value is {@code null} when absent, a {@link String}, a {@link Number}, a {@link Boolean},
 * or a {@link java.util.Map}/{@link java.util.List} standing in for a JSON object/array (only its
 * type matters; transports may pass empty ones).
 *
 * @param name           the band
 * @param album          the album voted for
 * @param year           the album's release year: a whole number, or a string of digits
 * @param rank           the voter's rating, 1 to 100: a whole number, or a string of digits
 * @param voterId        optional voter id
 * @param voteId         optional idempotency key from the body
 * @param idempotencyKey optional idempotency key from the transport (HTTP {@code Idempotency-Key}
 *                       header, gRPC metadata); equivalent to {@code voteId}
 * @param unknownFields  names of fields the transport did not recognise; rejected by the validator
 */
public record VoteCandidate(
    Object name,
    Object album,
    Object year,
    Object rank,
    Object voterId,
    Object voteId,
    String idempotencyKey,
    List<String> unknownFields)
    implements CastItem {

  public VoteCandidate {
    unknownFields = unknownFields == null ? List.of() : List.copyOf(unknownFields);
  }

  /** The seed's four fields only, as the traffic files carry them. */
  public static VoteCandidate of(Object name, Object album, Object year, Object rank) {
    return new VoteCandidate(name, album, year, rank, null, null, null, List.of());
  }

  public VoteCandidate withVoterId(Object newVoterId) {
    return new VoteCandidate(name, album, year, rank, newVoterId, voteId, idempotencyKey, unknownFields);
  }

  public VoteCandidate withVoteId(Object newVoteId) {
    return new VoteCandidate(name, album, year, rank, voterId, newVoteId, idempotencyKey, unknownFields);
  }

  public VoteCandidate withIdempotencyKey(String key) {
    return new VoteCandidate(name, album, year, rank, voterId, voteId, key, unknownFields);
  }

  public VoteCandidate withUnknownFields(List<String> fields) {
    return new VoteCandidate(name, album, year, rank, voterId, voteId, idempotencyKey, fields);
  }
}
