package gt.quetzal.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gt.quetzal.kit.EnvReader;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Token buckets on a clock the test moves: no sleeping. */
class RateLimiterTest {

  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(42 * SECOND);

  private RateLimiter limiter(double perSecond, int burst, int maxKeys) {
    return new RateLimiter(perSecond, burst, maxKeys, now::get);
  }

  @Test
  void aBurstIsAllowedThenTheNextVoteWaitsForOneTokenToRefill() {
    RateLimiter limiter = limiter(10, 5, 1_000);
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.tryAcquire("ip:1.2.3.4", 1).allowed()).as("vote %d of the burst", i).isTrue();
    }
    RateLimiter.Decision refused = limiter.tryAcquire("ip:1.2.3.4", 1);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterNanos()).isEqualTo(SECOND / 10); // one token at 10/s
    assertThat(refused.retryAfterMillis()).isEqualTo(100);
    assertThat(refused.retryAfterSeconds()).isEqualTo(1); // never 0 in a Retry-After header

    now.addAndGet(SECOND / 10 - 1);
    assertThat(limiter.tryAcquire("ip:1.2.3.4", 1).allowed()).as("a nanosecond early").isFalse();
    now.addAndGet(1);
    assertThat(limiter.tryAcquire("ip:1.2.3.4", 1).allowed()).isTrue();
  }

  @Test
  void keysHaveTheirOwnBuckets() {
    RateLimiter limiter = limiter(1, 1, 1_000);
    assertThat(limiter.tryAcquire("voter:ana", 1).allowed()).isTrue();
    assertThat(limiter.tryAcquire("voter:ana", 1).allowed()).isFalse();
    assertThat(limiter.tryAcquire("voter:beto", 1).allowed()).isTrue();
  }

  @Test
  void theBucketRefillsOnlyUpToTheBurst() {
    RateLimiter limiter = limiter(100, 3, 1_000);
    limiter.tryAcquire("k", 3);
    now.addAndGet(3_600 * SECOND); // an hour idle is still only a burst of 3
    assertThat(limiter.tryAcquire("k", 3).allowed()).isTrue();
    assertThat(limiter.tryAcquire("k", 1).allowed()).isFalse();
  }

  @Test
  void aBatchLargerThanTheBurstGoesThroughWhenFullAndPaysWithALongerWait() {
    RateLimiter limiter = limiter(10, 20, 1_000);
    assertThat(limiter.tryAcquire("k", 120).allowed()).isTrue(); // 100 tokens in debt
    RateLimiter.Decision next = limiter.tryAcquire("k", 1);
    assertThat(next.allowed()).isFalse();
    assertThat(next.retryAfterNanos()).isEqualTo(101 * SECOND / 10); // back to +1 token: 10.1 s
    assertThat(next.retryAfterSeconds()).isEqualTo(11);
  }

  @Test
  void aRefusedMultiKeyChargeRefundsTheKeysAlreadyCharged() {
    RateLimiter limiter = limiter(1, 2, 1_000);
    limiter.tryAcquire("voter:b", 2); // b is empty now
    Map<String, Integer> costs = new LinkedHashMap<>();
    costs.put("voter:a", 2);
    costs.put("voter:b", 1);
    RateLimiter.Decision decision = limiter.tryAcquireAll(costs);
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.retryAfterNanos()).isEqualTo(SECOND);
    assertThat(limiter.tryAcquire("voter:a", 2).allowed()).as("a got its tokens back").isTrue();
  }

  @Test
  void memoryIsBoundedByEvictingTheLeastRecentlyUsedKeys() {
    RateLimiter limiter = limiter(1, 1, 160);
    for (int i = 0; i < 10_000; i++) {
      limiter.tryAcquire("ip:10.0." + (i / 256) + "." + (i % 256), 1);
    }
    assertThat(limiter.trackedKeys()).isLessThanOrEqualTo(160).isGreaterThan(100);
  }

  @Test
  void configFailsFastNamingEveryBadVariable() {
    assertThatThrownBy(
            () -> {
              EnvReader env =
                  new EnvReader(
                      Map.of("RATE_LIMIT_KEY", "cookie", "RATE_LIMIT_PER_SECOND", "0", "TRUSTED_PROXIES", "10.0.0.0/33, ingress"));
              RateLimitConfig.fromEnv(env);
              env.validate("ingest-http");
            })
        .isInstanceOf(EnvReader.ConfigException.class)
        .hasMessageContaining("RATE_LIMIT_KEY=cookie")
        .hasMessageContaining("RATE_LIMIT_PER_SECOND=0")
        .hasMessageContaining("TRUSTED_PROXIES");
  }

  @Test
  void offByDefault() {
    EnvReader env = new EnvReader(Map.of());
    RateLimitConfig config = RateLimitConfig.fromEnv(env);
    assertThat(config.enabled()).isFalse();
    assertThat(ClientRateLimit.of(config)).isNull();
    assertThat(RateLimitConfig.fromEnv(new EnvReader(Map.of("RATE_LIMIT_KEY", "voterId"))).key()).isEqualTo(RateLimitConfig.Key.VOTER_ID);
  }

  @Test
  void byVoterIdVotesWithoutOneShareTheirClientsBucket() {
    RateLimitConfig config = new RateLimitConfig(RateLimitConfig.Key.VOTER_ID, 1, 2, 1_000, ClientAddresses.NO_PROXIES);
    ClientRateLimit rateLimit = new ClientRateLimit(config, new RateLimiter(1, 2, 1_000, now::get));
    assertThat(rateLimit.check("1.2.3.4", Arrays.asList("ana", "ana")).allowed()).isTrue();
    assertThat(rateLimit.check("1.2.3.4", List.of("ana")).allowed()).as("ana is out").isFalse();
    assertThat(rateLimit.check("1.2.3.4", Arrays.asList(null, "  ", "beto")).allowed())
        .as("two by address, one by beto")
        .isTrue();
    assertThat(rateLimit.check("1.2.3.4", Arrays.asList((Object) null)).allowed()).as("the address is out").isFalse();
    assertThat(rateLimit.check("5.6.7.8", Arrays.asList((Object) null)).allowed()).isTrue();
  }
}
