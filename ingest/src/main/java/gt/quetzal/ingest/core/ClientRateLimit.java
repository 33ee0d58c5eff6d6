package gt.quetzal.ingest.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rate-limit policy both routes apply to the votes of one request: which bucket each vote is
 * charged to ({@link RateLimitConfig.Key}), then one all-or-nothing charge. Every vote received is
 * charged, valid or not, before validation, so floods of bad votes are limited too.
 */
public final class ClientRateLimit {

  /** Longer voterIds are invalid anyway; charging them to the address keeps keys small. */
  private static final int MAX_KEY_LENGTH = 200;

  private final RateLimitConfig config;
  private final RateLimiter limiter;

  public ClientRateLimit(RateLimitConfig config, RateLimiter limiter) {
    this.config = Objects.requireNonNull(config, "config");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
  }

  /** The production limiter for {@code config}, or {@code null} when rate limiting is off. */
  public static ClientRateLimit of(RateLimitConfig config) {
    return config.enabled() ? new ClientRateLimit(config, RateLimiter.of(config)) : null;
  }

  public RateLimitConfig config() {
    return config;
  }

  public RateLimiter limiter() {
    return limiter;
  }

  /** Whether a rejection names the voterId (the key was the vote's own voterId). */
  public boolean keyedByVoter() {
    return config.key() == RateLimitConfig.Key.VOTER_ID;
  }

  /**
   * @param clientAddress the client as {@link ClientAddresses#client} resolved it
   * @param voterIds      one entry per vote of the request: its raw voterId value, or null
   */
  public RateLimiter.Decision check(String clientAddress, List<?> voterIds) {
    if (voterIds.isEmpty()) {
      return new RateLimiter.Decision(true, 0);
    }
    String byAddress = "ip:" + clientAddress;
    if (config.key() == RateLimitConfig.Key.IP) {
      return limiter.tryAcquire(byAddress, voterIds.size());
    }
    Map<String, Integer> costs = new LinkedHashMap<>();
    for (Object voterId : voterIds) {
      costs.merge(voterKey(voterId, byAddress), 1, Integer::sum);
    }
    return limiter.tryAcquireAll(costs);
  }

  private static String voterKey(Object voterId, String byAddress) {
    if (voterId instanceof String text) {
      String stripped = text.strip();
      if (!stripped.isEmpty() && stripped.length() <= MAX_KEY_LENGTH) {
        return "voter:" + stripped;
      }
    }
    return byAddress;
  }
}
