package gt.quetzal.ingest.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import gt.quetzal.contract.VoteEvent;
import gt.quetzal.ingest.core.FieldViolation;
import gt.quetzal.ingest.core.VoteCandidate;
import gt.quetzal.ingest.core.VoteCounters;
import gt.quetzal.ingest.core.VoteValidator;
import gt.quetzal.proto.v1.Vote;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;

/**
 * Translation between the protobuf messages and the shared core: a {@link Vote} becomes a {@link
 * VoteCandidate} (the rules stay in {@link VoteValidator}), and violations and failures become
 * gRPC statuses with {@code google.rpc} details.
 *
 * <p>Field names in errors are the proto's ({@code voter_id}, {@code vote_id}), and the metadata
 * key for the idempotency key ({@code idempotency-key}), so a client can map them to what it sent.
 */
final class GrpcVotes {

  /** The gRPC metadata key equivalent to {@code vote_id} (HTTP's {@code Idempotency-Key}). */
  static final String IDEMPOTENCY_KEY = "idempotency-key";

  static final String ERROR_DOMAIN = "quetzal.gt";

  private GrpcVotes() {}

  /**
   * A proto3 string cannot tell "not sent" from "", so an empty string is absent (name and album
   * then get "is required"); {@code year} and {@code rank} are {@code optional}, so a missing one
   * is reported as missing rather than read as 0. Unknown protobuf fields are ignored: they can
   * only come from a client built against a newer schema, and protobuf's compatibility promise is
   * that older servers skip them (JSON rejects them because there a typo is the likely cause).
   */
  static VoteCandidate toCandidate(Vote vote, String idempotencyKey) {
    return new VoteCandidate(
        emptyToNull(vote.getName()),
        emptyToNull(vote.getAlbum()),
        vote.hasYear() ? Integer.valueOf(vote.getYear()) : null,
        vote.hasRank() ? Integer.valueOf(vote.getRank()) : null,
        emptyToNull(vote.getVoterId()),
        emptyToNull(vote.getVoteId()),
        idempotencyKey,
        List.of());
  }

  /** The vote counters of the gRPC route: {@code channel=grpc}, fields as the proto names them. */
  static VoteCounters counters(MeterRegistry registry) {
    return new VoteCounters(registry, VoteEvent.CHANNEL_GRPC, GrpcVotes::protoField);
  }

  /** The name a gRPC client knows a field by. */
  static String protoField(String field) {
    return switch (field) {
      case "voterId" -> "voter_id";
      case "voteId" -> "vote_id";
      case VoteValidator.IDEMPOTENCY_KEY_FIELD -> IDEMPOTENCY_KEY;
      default -> field;
    };
  }

  static gt.quetzal.proto.v1.FieldViolation toProto(FieldViolation violation) {
    return gt.quetzal.proto.v1.FieldViolation.newBuilder()
        .setField(protoField(violation.field()))
        .setDescription(violation.message())
        .build();
  }

  /** INVALID_ARGUMENT with a {@code google.rpc.BadRequest} listing every field at fault. */
  static StatusRuntimeException invalidArgument(List<FieldViolation> violations) {
    BadRequest.Builder badRequest = BadRequest.newBuilder();
    for (FieldViolation violation : violations) {
      badRequest.addFieldViolations(
          BadRequest.FieldViolation.newBuilder()
              .setField(protoField(violation.field()))
              .setDescription(violation.message())
              .setReason(violation.code().toUpperCase(Locale.ROOT)));
    }
    String fields = String.join(", ", violations.stream().map(v -> protoField(v.field())).distinct().toList());
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT_VALUE)
            .setMessage("The vote is invalid. Fix these fields: " + fields + ".")
            .addDetails(Any.pack(badRequest.build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  /** INVALID_ARGUMENT for a request that failed to parse (see {@link MalformedMessages}). */
  static StatusRuntimeException malformed(String message) {
    return invalidArgument(
        List.of(
            new FieldViolation(
                "request", "malformed", "is not a valid protobuf encoding of " + message + " (truncated bytes or invalid UTF-8?)")));
  }

  /**
   * UNAVAILABLE with a {@code google.rpc.RetryInfo} delay and, when the vote has an id, a {@code
   * google.rpc.ErrorInfo} carrying it ({@code metadata.vote_id}), so the retry reuses the id and is
   * counted once even if the first attempt was stored after all.
   */
  static StatusRuntimeException unavailable(String why, String voteId, long retryAfterMs) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.UNAVAILABLE_VALUE)
            .setMessage(why)
            .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(duration(retryAfterMs)).build()));
    if (voteId != null) {
      status.addDetails(
          Any.pack(
              ErrorInfo.newBuilder()
                  .setReason("KAFKA_UNAVAILABLE")
                  .setDomain(ERROR_DOMAIN)
                  .putMetadata("vote_id", voteId)
                  .build()));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  private static Duration duration(long millis) {
    return Duration.newBuilder().setSeconds(millis / 1_000).setNanos((int) (millis % 1_000) * 1_000_000).build();
  }

  private static String emptyToNull(String text) {
    return text.isEmpty() ? null : text;
  }
}
