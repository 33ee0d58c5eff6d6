package gt.quetzal.ingest.core;

import gt.quetzal.kit.EnvReader;
import java.util.Locale;
import java.util.Objects;

/**
 * Rate limiting per client, read the same way by both routes ({@link #fromEnv}).
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>RATE_LIMIT_KEY</td><td>off</td><td>{@code off}, {@code ip} (the client address; for IPv6
 *       its /64) or
 *       {@code voterId} (the vote's voterId; votes without one are keyed by address)</td></tr>
 *   <tr><td>RATE_LIMIT_PER_SECOND</td><td>50</td><td>votes per second each key may send,
 *       sustained</td></tr>
 *   <tr><td>RATE_LIMIT_BURST</td><td>200</td><td>votes a key may send at once after being idle
 *       (the bucket size)</td></tr>
 *   <tr><td>RATE_LIMIT_MAX_KEYS</td><td>100000</td><td>keys tracked at most; the least recently
 *       seen are forgotten first</td></tr>
 *   <tr><td>TRUSTED_PROXIES</td><td>(none)</td><td>comma-separated addresses or CIDR blocks of
 *       proxies (the Ingress) whose {@code X-Forwarded-For} is believed; see {@link
 *       ClientAddresses}</td></tr>
 * </table>
 */
public record RateLimitConfig(Key key, double perSecond, int burst, int maxKeys, ClientAddresses clientAddresses) {

  /** What a bucket belongs to. */
  public enum Key {
    OFF,
    IP,
    VOTER_ID;

    static Key parse(String text) {
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "off", "none" -> OFF;
        case "ip" -> IP;
        case "voterid", "voter_id", "voter" -> VOTER_ID;
        default -> null;
      };
    }
  }

  public static final RateLimitConfig OFF = new RateLimitConfig(Key.OFF, 50, 200, 100_000, ClientAddresses.NO_PROXIES);

  public RateLimitConfig {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(clientAddresses, "clientAddresses");
    if (!(perSecond > 0) || burst < 1 || maxKeys < RateLimiter.STRIPES) {
      throw new IllegalArgumentException("need perSecond > 0, burst >= 1, maxKeys >= " + RateLimiter.STRIPES);
    }
  }

  public boolean enabled() {
    return key != Key.OFF;
  }

  public static RateLimitConfig fromEnv(EnvReader env) {
    String keyText = env.string("RATE_LIMIT_KEY", "off");
    Key key = Key.parse(keyText);
    if (key == null) {
      env.problem("RATE_LIMIT_KEY=" + keyText + " is not one of off, ip, voterId");
      key = Key.OFF;
    }
    int perSecond = env.integer("RATE_LIMIT_PER_SECOND", 50, 1, 1_000_000);
    int burst = env.integer("RATE_LIMIT_BURST", 200, 1, 10_000_000);
    int maxKeys = env.integer("RATE_LIMIT_MAX_KEYS", 100_000, RateLimiter.STRIPES, 100_000_000);
    String proxies = env.optional("TRUSTED_PROXIES");
    ClientAddresses addresses = ClientAddresses.NO_PROXIES;
    if (proxies != null) {
      try {
        addresses = ClientAddresses.parse(proxies);
      } catch (IllegalArgumentException e) {
        env.problem("TRUSTED_PROXIES: " + e.getMessage());
      }
    }
    return new RateLimitConfig(key, perSecond, burst, maxKeys, addresses);
  }
}
