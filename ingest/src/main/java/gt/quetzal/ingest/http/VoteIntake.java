package gt.quetzal.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import gt.quetzal.ingest.core.ClientRateLimit;
import gt.quetzal.ingest.core.RateLimiter;
import gt.quetzal.ingest.core.VoteCounters;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a vote request passes before its votes reach the cast step: the media type, the body's size
 * and read timeout, JSON parsing, and the rate limiter's charges (the body before it is read, the
 * votes once they are counted; see {@link ClientRateLimit}). Each refusal is thrown as a {@link
 * ProblemException}.
 */
final class VoteIntake {

  private static final Logger log = LoggerFactory.getLogger(VoteIntake.class);
  private static final String JSON = "application/json";

  private final long idleTimeoutMs;
  private final ClientRateLimit rateLimit; // null when off
  private final VoteCounters counters;

  VoteIntake(long idleTimeoutMs, ClientRateLimit rateLimit, VoteCounters counters) {
    this.idleTimeoutMs = idleTimeoutMs;
    this.rateLimit = rateLimit;
    this.counters = counters;
  }

  /** A parsed body and the tokens its size cost the client address. */
  record Body(JsonNode tree, int paid) {}

  static void requireJson(Context ctx) {
    String contentType = ctx.header("Content-Type");
    if (!isJsonUtf8(contentType)) {
      throw new ProblemException(Problem.unsupportedMediaType(contentType), "unsupported_media_type");
    }
  }

  /** {@code application/json} or {@code application/*+json}; a charset, if named, must be UTF-8. */
  static boolean isJsonUtf8(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";");
    String media = parts[0].trim().toLowerCase(Locale.ROOT);
    boolean json = media.equals(JSON) || (media.startsWith("application/") && media.endsWith("+json"));
    if (!json) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      int eq = parameter.indexOf('=');
      if (eq > 0 && parameter.substring(0, eq).trim().equalsIgnoreCase("charset")) {
        String charset = parameter.substring(eq + 1).trim().replace("\"", "");
        if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
          return false; // decoding Latin-1 as UTF-8 would mangle accents: refuse instead
        }
      }
    }
    return true;
  }

  /**
   * Charges the body's declared size (capped at {@code limit}; unknown counts as 1 token), reads at
   * most {@code limit} bytes, charges what a chunked body really held, then parses it.
   */
  Body read(Context ctx, int limit) {
    int paid = chargeBody(ctx, Math.min(ctx.req().getContentLengthLong(), limit), 0);
    byte[] body = readBody(ctx, limit);
    paid = chargeBody(ctx, body.length, paid);
    return new Body(VoteJson.parse(body), paid);
  }

  /** Reads at most the limit: a declared length over it is refused unread, a chunked one stops early. */
  private byte[] readBody(Context ctx, int limit) {
    if (ctx.req().getContentLengthLong() > limit) {
      throw new ProblemException(Problem.bodyTooLarge(limit), "too_large");
    }
    try {
      InputStream in = ctx.req().getInputStream();
      byte[] body = in.readNBytes(limit + 1);
      if (body.length > limit) {
        throw new ProblemException(Problem.bodyTooLarge(limit), "too_large");
      }
      return body;
    } catch (IOException e) {
      if (isTimeout(e)) {
        // Jetty closes the connection after this; the 408 reaches the client if it still reads.
        throw new ProblemException(Problem.requestTimeout(idleTimeoutMs), "timeout");
      }
      log.debug("body could not be read: {}", e.toString()); // the I/O detail is the server's, not the client's
      throw new ProblemException(Problem.malformedJson("The body could not be read"), "unreadable_body");
    }
  }

  private static boolean isTimeout(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Charges the address for a body of {@code bytes} beyond the {@code paid} tokens ({@link
   * ClientRateLimit#bodyTokens}), so malformed and oversized bodies cost their sender; 429 when
   * refused. Returns the tokens paid so far.
   */
  private int chargeBody(Context ctx, long bytes, int paid) {
    if (rateLimit == null) {
      return 0;
    }
    int owed = ClientRateLimit.bodyTokens(bytes) - paid;
    if (owed <= 0) {
      return paid;
    }
    RateLimiter.Decision decision = rateLimit.chargeBody(client(ctx), owed);
    if (!decision.allowed()) {
      ctx.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
      throw new ProblemException(Problem.rateLimited(decision.retryAfterSeconds(), false), "rate_limited");
    }
    return paid + owed;
  }

  /** Whether the votes are charged at all; when not, callers need not gather their voterIds. */
  boolean limited() {
    return rateLimit != null;
  }

  /**
   * Charges the request's votes (one voterId or null each) to the client's bucket, less the {@code
   * paid} tokens its body already cost the address; 429 with Retry-After when it is empty.
   */
  void chargeVotes(Context ctx, List<Object> voterIds, int paid) {
    if (rateLimit == null) {
      return;
    }
    RateLimiter.Decision decision = rateLimit.check(client(ctx), voterIds, paid);
    if (!decision.allowed()) {
      ctx.header("Retry-After", Long.toString(decision.retryAfterSeconds()));
      if (voterIds.size() > 1) {
        counters.rejected("rate_limited", voterIds.size() - 1); // the exception mapping counts one
      }
      throw new ProblemException(Problem.rateLimited(decision.retryAfterSeconds(), rateLimit.keyedByVoter()), "rate_limited");
    }
  }

  private String client(Context ctx) {
    return rateLimit.config().clientAddresses().client(ctx.req().getRemoteAddr(), forwardedFor(ctx));
  }

  /** Every X-Forwarded-For header, in order, as one comma-separated list. */
  private static String forwardedFor(Context ctx) {
    Enumeration<String> values = ctx.req().getHeaders("X-Forwarded-For");
    if (values == null || !values.hasMoreElements()) {
      return null;
    }
    StringBuilder all = new StringBuilder(values.nextElement());
    while (values.hasMoreElements()) {
      all.append(',').append(values.nextElement());
    }
    return all.toString();
  }
}
