package gt.quetzal.web;

import java.time.Duration;
import java.util.Objects;

/**
 * How many live pages the service holds open, and how long one may leave a write unfinished.
 *
 * @param maxPerAddress open {@code /api/events} streams per client address; the next one gets 429
 * @param maxClients open streams in total; the next one gets 503
 * @param writeTimeout how long a write to one page may stay unfinished (its reader stopped reading)
 *     before that page is cut off
 */
public record SseLimits(int maxPerAddress, int maxClients, Duration writeTimeout) {

  public static final int DEFAULT_MAX_PER_ADDRESS = 8;
  public static final int DEFAULT_MAX_CLIENTS = 500;
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(5);
  public static final SseLimits DEFAULTS =
      new SseLimits(DEFAULT_MAX_PER_ADDRESS, DEFAULT_MAX_CLIENTS, DEFAULT_WRITE_TIMEOUT);

  public SseLimits {
    Objects.requireNonNull(writeTimeout, "writeTimeout");
    if (maxPerAddress < 1 || maxClients < 1 || writeTimeout.isNegative() || writeTimeout.isZero()) {
      throw new IllegalArgumentException("SSE limits must be positive: " + maxPerAddress + ", " + maxClients + ", " + writeTimeout);
    }
  }
}
