package gt.quetzal.ingest.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Per-key token buckets with bounded memory, shared by both ingest routes.
 *
 * <p>Each key (a client address or a voterId, see {@link RateLimitConfig}) has a bucket holding up
 * to {@code burst} tokens that refills at {@code perSecond}; one vote costs one token. A request
 * of {@code n} votes is allowed when the bucket holds {@code min(n, burst)} tokens, and then takes
 * all {@code n}, which may leave the bucket in debt: a batch larger than the burst is possible, and
 * pays for itself with a longer wait afterwards instead of being refused forever.
 *
 * <p>Memory: the buckets live in {@link #STRIPES} access-ordered maps, each holding at most {@code
 * maxKeys / STRIPES} keys; when one is full the least recently used key is evicted. An evicted key
 * starts over with a full bucket, which is what an idle key would have had anyway; only a client
 * that cycles through more keys than the limit can gain from it, which is why the key should be
 * the client address unless voterIds are issued by a trusted party.
 *
 * <p>The clock is a nanosecond supplier (production: {@link System#nanoTime}), so tests drive time.
 */
public final class RateLimiter {

  /** Lock striping: one lock per stripe rather than one for the whole service. */
  static final int STRIPES = 16;

  /**
   * @param allowed         whether the votes may go on
   * @param retryAfterNanos when not allowed, how long until they would be (0 when allowed)
   */
  public record Decision(boolean allowed, long retryAfterNanos) {
    static final Decision ALLOW = new Decision(true, 0);

    /** The wait rounded up to whole seconds, at least 1: the HTTP {@code Retry-After} value. */
    public long retryAfterSeconds() {
      return Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L);
    }

    /** The wait rounded up to milliseconds, at least 1: the gRPC {@code RetryInfo} delay. */
    public long retryAfterMillis() {
      return Math.max(1, (retryAfterNanos + 999_999L) / 1_000_000L);
    }
  }

  private final double tokensPerNano;
  private final double burst;
  private final LongSupplier nanoClock;
  private final Stripe[] stripes = new Stripe[STRIPES];

  public RateLimiter(double perSecond, int burst, int maxKeys, LongSupplier nanoClock) {
    if (!(perSecond > 0) || burst < 1 || maxKeys < STRIPES) {
      throw new IllegalArgumentException("need perSecond > 0, burst >= 1, maxKeys >= " + STRIPES);
    }
    this.tokensPerNano = perSecond / 1e9;
    this.burst = burst;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe(maxKeys / STRIPES);
    }
  }

  public static RateLimiter of(RateLimitConfig config) {
    return new RateLimiter(config.perSecond(), config.burst(), config.maxKeys(), System::nanoTime);
  }

  /** Charges {@code cost} votes to {@code key}. */
  public Decision tryAcquire(String key, int cost) {
    return stripe(key).tryAcquire(key, cost, nanoClock.getAsLong());
  }

  /**
   * Charges each key its cost, all or nothing: when one key is refused, the keys already charged
   * get their tokens back and the longest wait among the refused is returned.
   */
  public Decision tryAcquireAll(Map<String, Integer> costs) {
    if (costs.size() == 1) {
      Map.Entry<String, Integer> only = costs.entrySet().iterator().next();
      return tryAcquire(only.getKey(), only.getValue());
    }
    long now = nanoClock.getAsLong();
    Map<String, Integer> charged = new LinkedHashMap<>();
    long wait = 0;
    for (Map.Entry<String, Integer> entry : costs.entrySet()) {
      Decision decision = stripe(entry.getKey()).tryAcquire(entry.getKey(), entry.getValue(), now);
      if (decision.allowed()) {
        charged.put(entry.getKey(), entry.getValue());
      } else {
        wait = Math.max(wait, decision.retryAfterNanos());
      }
    }
    if (wait == 0) {
      return Decision.ALLOW;
    }
    charged.forEach((key, cost) -> stripe(key).refund(key, cost));
    return new Decision(false, wait);
  }

  /** Gives {@code cost} tokens back to {@code key} (never above the burst). */
  public void refund(String key, int cost) {
    stripe(key).refund(key, cost);
  }

  /** Keys currently tracked (a metric; bounded by {@code maxKeys}). */
  public int trackedKeys() {
    int total = 0;
    for (Stripe stripe : stripes) {
      total += stripe.size();
    }
    return total;
  }

  private Stripe stripe(String key) {
    return stripes[Math.floorMod(key.hashCode() ^ (key.hashCode() >>> 16), STRIPES)];
  }

  private final class Stripe {
    private final LinkedHashMap<String, Bucket> buckets;

    Stripe(int capacity) {
      this.buckets =
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
              return size() > capacity;
            }
          };
    }

    synchronized Decision tryAcquire(String key, int cost, long now) {
      Bucket bucket = buckets.get(key);
      if (bucket == null) {
        bucket = new Bucket(burst, now);
        buckets.put(key, bucket);
      }
      bucket.refill(now);
      double needed = Math.min(cost, burst);
      if (bucket.tokens >= needed) {
        bucket.tokens -= cost;
        return Decision.ALLOW;
      }
      long wait = (long) Math.ceil((needed - bucket.tokens) / tokensPerNano);
      return new Decision(false, Math.max(1, wait));
    }

    synchronized void refund(String key, int cost) {
      Bucket bucket = buckets.get(key);
      if (bucket != null) {
        bucket.tokens = Math.min(burst, bucket.tokens + cost);
      }
    }

    synchronized int size() {
      return buckets.size();
    }
  }

  private final class Bucket {
    double tokens;
    long updatedAt;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.updatedAt = now;
    }

    void refill(long now) {
      long elapsed = now - updatedAt;
      if (elapsed > 0) {
        tokens = Math.min(burst, tokens + elapsed * tokensPerNano);
        updatedAt = now;
      }
    }
  }
}
