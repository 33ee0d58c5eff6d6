package gt.quetzal.ingest.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which bucket a request is charged to, and how much, on a clock that never moves. */
class ClientRateLimitTest {

  private final AtomicLong now = new AtomicLong();

  private ClientRateLimit limit(RateLimitConfig.Key key, int burst) {
    RateLimitConfig config = new RateLimitConfig(key, 1, burst, 1_000, ClientAddresses.NO_PROXIES);
    return new ClientRateLimit(config, new RateLimiter(1, burst, 1_000, now::get));
  }

  private static List<Object> one(Object voterId) {
    return Collections.singletonList(voterId);
  }

  @Test
  void anIpv6ClientIsKeyedByItsSlash64() {
    ClientRateLimit limit = limit(RateLimitConfig.Key.IP, 1);
    assertThat(limit.check("2001:db8:1:2::1", one(null)).allowed()).isTrue();
    // another address of the same /64 (as any one subscriber can pick) shares the bucket
    assertThat(limit.check("2001:db8:1:2:ffff:ffff:ffff:ffff", one(null)).allowed()).isFalse();
    assertThat(limit.check("2001:0db8:0001:0002:0:0:0:7", one(null)).allowed()).as("spelled out").isFalse();
    // the neighbouring /64 is another subscriber
    assertThat(limit.check("2001:db8:1:3::1", one(null)).allowed()).isTrue();
  }

  @Test
  void addressKeysAreThePrefixForIpv6AndTheAddressOtherwise() {
    assertThat(ClientRateLimit.addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).isEqualTo("ip6:2001:db8:1:2::/64");
    assertThat(ClientRateLimit.addressKey("[2001:db8:1:2::9]")).as("as Jetty reports a peer").isEqualTo("ip6:2001:db8:1:2::/64");
    assertThat(ClientRateLimit.addressKey("fe80::1%eth0")).isEqualTo("ip6:fe80:0:0:0::/64");
    assertThat(ClientRateLimit.addressKey("::ffff:203.0.113.9")).as("IPv4-mapped").isEqualTo("ip:203.0.113.9");
    assertThat(ClientRateLimit.addressKey("203.0.113.9")).isEqualTo("ip:203.0.113.9");
    assertThat(ClientRateLimit.addressKey("in-process")).isEqualTo("ip:in-process");
  }

  @Test
  void aVoterIdIsOneBucketWhateverItsUnicodeNormalForm() {
    ClientRateLimit limit = limit(RateLimitConfig.Key.VOTER_ID, 1);
    String composed = "Jos\u00e9";
    String decomposed = "Jose\u0301"; // the validator stores both as the composed form
    assertThat(limit.check("203.0.113.1", one(composed)).allowed()).isTrue();
    assertThat(limit.check("203.0.113.2", one(decomposed)).allowed()).isFalse();
    assertThat(limit.check("203.0.113.3", one("Jose")).allowed()).as("another voter").isTrue();
  }

  @Test
  void bodyTokensAreOnePerStartedKibibyte() {
    assertThat(ClientRateLimit.bodyTokens(-1)).as("unknown length").isEqualTo(1);
    assertThat(ClientRateLimit.bodyTokens(0)).isEqualTo(1);
    assertThat(ClientRateLimit.bodyTokens(1_024)).isEqualTo(1);
    assertThat(ClientRateLimit.bodyTokens(1_025)).isEqualTo(2);
    assertThat(ClientRateLimit.bodyTokens(1_048_576)).isEqualTo(1_024);
  }

  @Test
  void votesCostOnlyWhatTheirBodyDidNotPay() {
    ClientRateLimit limit = limit(RateLimitConfig.Key.IP, 10);
    assertThat(limit.chargeBody("203.0.113.1", 4).allowed()).isTrue(); // 10 -> 6
    // 5 votes, 4 already paid by the body: 1 more
    assertThat(limit.check("203.0.113.1", Arrays.asList(null, null, null, null, null), 4).allowed()).isTrue(); // 6 -> 5
    assertThat(limit.check("203.0.113.1", Collections.nCopies(5, null)).allowed()).isTrue(); // 5 -> 0
    assertThat(limit.check("203.0.113.1", one(null)).allowed()).isFalse();
  }

  @Test
  void byVoterIdAnUnparsedBodyCostsTheAddress() {
    ClientRateLimit limit = limit(RateLimitConfig.Key.VOTER_ID, 2);
    assertThat(limit.chargeBody("203.0.113.1", 2).allowed()).isTrue(); // malformed: never refunded
    assertThat(limit.chargeBody("203.0.113.1", 1).allowed()).isFalse();
  }

  @Test
  void byVoterIdAParsedBodyIsRefundedToTheAddressForVotesTheVotersPay() {
    ClientRateLimit limit = limit(RateLimitConfig.Key.VOTER_ID, 2);
    assertThat(limit.chargeBody("203.0.113.1", 2).allowed()).isTrue(); // address 2 -> 0
    // ana pays for her vote, the voterless one is covered by the body: 1 token goes back to the address
    assertThat(limit.check("203.0.113.1", Arrays.asList("ana", null), 2).allowed()).isTrue();
    assertThat(limit.check("203.0.113.1", one(null)).allowed()).as("the address got 1 back").isTrue();
    assertThat(limit.check("203.0.113.1", one(null)).allowed()).isFalse();
    assertThat(limit.check("203.0.113.1", one("ana")).allowed()).as("ana has 1 left").isTrue();
    assertThat(limit.check("203.0.113.1", one("ana")).allowed()).isFalse();
  }
}
