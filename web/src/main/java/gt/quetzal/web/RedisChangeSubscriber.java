package gt.quetzal.web;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

/**
 * The app's one subscription to the sinks' change channel, on one thread.
 *
 * <p>When Redis drops, the thread resubscribes with a doubling backoff bounded by {@code maxBackoff}.
 * A subscribed connection blocks without a read timeout, so a half-open connection (a Redis pod gone
 * without a reset) would hang forever: a watchdog PINGs through the subscription and cuts the
 * connection when no reply, message or PONG arrived for three ping intervals, which makes the
 * subscriber thread fail and resubscribe.
 */
public final class RedisChangeSubscriber implements ChangeSource {

  private static final Logger log = LoggerFactory.getLogger(RedisChangeSubscriber.class);

  private final RedisClient redis;
  private final String channel;
  private final long minBackoffMs;
  private final long maxBackoffMs;
  private final long pingMs;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final ScheduledExecutorService watchdog;
  private Thread thread;
  private volatile Listener listener;
  private volatile Connection connection;
  private volatile Subscription subscription;
  private volatile long lastHeard;
  /** Only touched by the subscriber thread (the callbacks run on it too). */
  private boolean reportedLost;

  /** @param redis a client used only for this subscription (it keeps one connection busy) */
  public RedisChangeSubscriber(
      RedisClient redis, String channel, Duration minBackoff, Duration maxBackoff, Duration pingInterval) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.channel = Objects.requireNonNull(channel, "channel");
    this.minBackoffMs = minBackoff.toMillis();
    this.maxBackoffMs = Math.max(minBackoffMs, maxBackoff.toMillis());
    this.pingMs = pingInterval.toMillis();
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "redis-changes-watchdog");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public synchronized void start(Listener listener) {
    if (thread != null) {
      throw new IllegalStateException("already started");
    }
    this.listener = Objects.requireNonNull(listener, "listener");
    thread = new Thread(this::run, "redis-changes");
    thread.setDaemon(true);
    thread.start();
    watchdog.scheduleWithFixedDelay(this::watch, pingMs, pingMs, TimeUnit.MILLISECONDS);
  }

  private boolean isClosed() {
    return closed.getCount() == 0;
  }

  private void run() {
    long backoff = minBackoffMs;
    while (!isClosed()) {
      Subscription sub = new Subscription();
      try (Connection conn = redis.getPool().getResource()) {
        connection = conn;
        subscription = sub;
        if (!isClosed()) {
          sub.proceed(conn, channel); // blocks until the connection fails or close() cuts it
        }
      } catch (RuntimeException e) {
        if (isClosed()) {
          break;
        }
        if (sub.wasSubscribed) {
          backoff = minBackoffMs; // it worked until now: retry quickly
        }
        if (!reportedLost) { // once per outage, not once per failed retry
          reportedLost = true;
          log.warn("lost the subscription to {}: {}; resubscribing", channel, e.toString());
          listener.onLost(e);
        } else {
          log.debug("resubscribing to {} failed: {}", channel, e.toString());
        }
      } finally {
        connection = null;
        subscription = null;
      }
      try {
        if (closed.await(backoff, TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      backoff = Math.min(backoff * 2, maxBackoffMs);
    }
    log.info("stopped listening to {}", channel);
  }

  /** PING through the subscription; cut a connection that has been silent for three intervals. */
  private void watch() {
    Subscription sub = subscription;
    Connection conn = connection;
    if (sub == null || conn == null || !sub.wasSubscribed) {
      return;
    }
    try {
      if (System.currentTimeMillis() - lastHeard > 3 * pingMs) {
        log.warn("no reply on {} for {} ms; reconnecting", channel, 3 * pingMs);
        conn.disconnect();
      } else {
        sub.ping();
      }
    } catch (RuntimeException e) {
      log.debug("watchdog ping failed: {}", e.toString()); // the subscriber thread sees the failure too
    }
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      if (isClosed()) {
        return;
      }
      closed.countDown();
      t = thread;
    }
    watchdog.shutdownNow();
    Connection conn = connection;
    if (conn != null) {
      conn.disconnect(); // unblocks the subscriber thread's read
    }
    if (t != null) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final class Subscription extends JedisPubSub {
    volatile boolean wasSubscribed;

    @Override
    public void onSubscribe(String subscribed, int count) {
      wasSubscribed = true;
      reportedLost = false;
      lastHeard = System.currentTimeMillis();
      log.info("listening to {}", subscribed);
      listener.onConnected();
    }

    @Override
    public void onMessage(String from, String message) {
      lastHeard = System.currentTimeMillis();
      listener.onChange(message);
    }

    @Override
    public void onPong(String pattern) {
      lastHeard = System.currentTimeMillis();
    }
  }
}
