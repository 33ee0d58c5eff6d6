package gt.quetzal.load;

import gt.quetzal.contract.Catalog;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.RedisKeys;
import gt.quetzal.kit.DaemonThreads;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import redis.clients.jedis.RedisClient;

/**
 * Sends sample votes to HTTP ingest at a steady rate and prints one live progress line: votes sent,
 * the send rate, how many ingest accepted (202), and how many Redis shows as counted.
 */
public final class DemoDriver implements AutoCloseable {

  private static final int TICKS_PER_SECOND = 10;

  private final HttpClient http;
  private final URI votesUri;
  private final VoteSampler sampler;
  private final LongSupplier counted;
  private final int votesPerSecond;
  private final Semaphore inFlight;
  private final PrintStream out;
  private final ScheduledExecutorService scheduler = DaemonThreads.scheduler("demo-driver");

  final AtomicLong sent = new AtomicLong();
  final AtomicLong accepted = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  private long sentAtLastReport;

  public DemoDriver(
      HttpClient http,
      URI ingestUrl,
      VoteSampler sampler,
      LongSupplier counted,
      int votesPerSecond,
      int maxInFlight,
      PrintStream out) {
    this.http = http;
    this.votesUri = ingestUrl.resolve("/votes");
    this.sampler = sampler;
    this.counted = counted;
    this.votesPerSecond = votesPerSecond;
    this.inFlight = new Semaphore(maxInFlight);
    this.out = out;
  }

  public void start() {
    long tickMicros = 1_000_000L / TICKS_PER_SECOND;
    scheduler.scheduleAtFixedRate(this::tick, 0, tickMicros, TimeUnit.MICROSECONDS);
    scheduler.scheduleAtFixedRate(this::report, 1, 1, TimeUnit.SECONDS);
  }

  private void tick() {
    // Carry the fractional remainder between ticks so any rate, not just multiples of 10, is exact.
    credit += (double) votesPerSecond / TICKS_PER_SECOND;
    while (credit >= 1) {
      if (!inFlight.tryAcquire()) {
        credit = 0; // ingest is slower than the target rate; don't queue without bound
        return;
      }
      credit -= 1;
      send();
    }
  }

  private double credit;

  private void send() {
    byte[] body;
    try {
      body = Json.MAPPER.writeValueAsBytes(sampler.next());
    } catch (Exception e) {
      inFlight.release();
      throw new IllegalStateException(e);
    }
    HttpRequest request =
        HttpRequest.newBuilder(votesUri)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    sent.incrementAndGet();
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              inFlight.release();
              if (error != null) {
                failed.incrementAndGet();
              } else if (response.statusCode() == 202) {
                accepted.incrementAndGet();
              } else if (response.statusCode() >= 400 && response.statusCode() < 500) {
                refused.incrementAndGet();
              } else {
                failed.incrementAndGet();
              }
            });
  }

  private void report() {
    long now = sent.get();
    long rate = now - sentAtLastReport;
    sentAtLastReport = now;
    String countedText;
    try {
      countedText = Long.toString(counted.getAsLong());
    } catch (RuntimeException e) {
      countedText = "? (Redis unreachable)";
    }
    out.printf(
        "\rdemo: sent %d (%d/s)  accepted %d  refused %d  failed %d  counted %s   ",
        now, rate, accepted.get(), refused.get(), failed.get(), countedText);
    out.flush();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    out.println();
  }

  /** Total votes counted so far, as the sinks mirrored them into Redis. */
  static long countedInRedis(RedisClient redis) {
    long total = 0;
    for (String value : redis.hvals(RedisKeys.BAND_TOTALS)) {
      total += Long.parseLong(value);
    }
    return total;
  }

  public static void main(String[] args) throws InterruptedException {
    DemoConfig config = DemoConfig.fromEnv(System.getenv());
    Catalog catalog = Catalog.load(config.catalogFile());
    RedisClient redis = RedisClient.create(config.redisUrl());
    HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();
    DemoDriver driver =
        new DemoDriver(
            http,
            config.ingestUrl(),
            new VoteSampler(catalog, 1.0, new Random(config.seed())),
            () -> countedInRedis(redis),
            config.votesPerSecond(),
            config.maxInFlight(),
            System.out);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  driver.close();
                  redis.close();
                },
                "shutdown"));
    driver.start();
    Thread.currentThread().join();
  }
}
