package gt.quetzal.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A refused record as the sinks stored it in {@code quetzal.rejected}.
 *
 * @param id         the document's {@code _id}, {@code <partition>-<offset>} of {@code votes.rejected}
 * @param voteId     the vote's id when it could be read, else absent
 * @param reason     machine-readable reason, e.g. {@code unknown-band}
 * @param detail     human-readable explanation
 * @param raw        the original record (truncated by the streams app); shown as text, never markup
 * @param rejectedAt epoch millis
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RejectedEntry(String id, String voteId, String reason, String detail, String raw, long rejectedAt) {}
