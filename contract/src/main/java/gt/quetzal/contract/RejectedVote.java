package gt.quetzal.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A record the streams app refused to count, as published to {@code votes.rejected}.
 *
 * @param voteId     the vote's id when it could be read, else {@code null}
 * @param reason     a stable, machine-readable reason such as {@code unparseable} or {@code late}
 * @param detail     a human-readable explanation naming the field at fault
 * @param raw        the original record value (truncated), kept so the refusal can be audited
 * @param rejectedAt epoch millis when the streams app rejected it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RejectedVote(String voteId, String reason, String detail, String raw, long rejectedAt) {

  /** Longest raw value kept, so a huge bad record cannot bloat the rejected log. */
  public static final int MAX_RAW_CHARS = 2_000;

  public static String truncate(String raw) {
    if (raw == null || raw.length() <= MAX_RAW_CHARS) {
      return raw;
    }
    return raw.substring(0, MAX_RAW_CHARS) + "…";
  }
}
