package gt.quetzal.devstack;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's servers end the JVM ({@code Exit.halt}) on a fatal fault, which suits a broker alone in its process.
 * Ours share a JVM with the launcher's devstack or a test run, and Kafka 4.4 can trip such a fault while a node
 * stops: its metadata loader read a raft segment that shutdown had already closed, and the halt killed a
 * failsafe fork after every assertion had passed. So while one of our brokers stops, such a halt or exit is
 * logged and the JVM goes on; at any other time it does what Kafka's default does.
 *
 * <p>Installed once and never reset: Kafka's own reset installs procedures that do nothing at all.
 */
final class KafkaExitGuard {

  private static final Logger log = LoggerFactory.getLogger(KafkaExitGuard.class);
  private static final AtomicInteger stopping = new AtomicInteger(); // brokers of this JVM stopping now
  private static boolean installed; // guarded by the class

  private KafkaExitGuard() {}

  /** Runs {@code stop} with Kafka unable to end this JVM. */
  static void whileStopping(Runnable stop) {
    install();
    stopping.incrementAndGet();
    try {
      stop.run();
    } finally {
      stopping.decrementAndGet();
    }
  }

  /** Whether a halt or exit asked for now would be ignored. */
  static boolean ignoring() {
    return stopping.get() > 0;
  }

  private static synchronized void install() {
    if (!installed) {
      Exit.setHaltProcedure((code, message) -> {
        if (!ignored("halt", code, message)) {
          Runtime.getRuntime().halt(code);
        }
      });
      Exit.setExitProcedure((code, message) -> {
        if (!ignored("exit", code, message)) {
          System.exit(code);
        }
      });
      installed = true;
    }
  }

  private static boolean ignored(String what, int code, String message) {
    if (!ignoring()) {
      return false;
    }
    log.warn("Kafka asked to {} the JVM ({}, {}) while a broker stopped: ignored, the JVM hosts more than the broker",
        what, code, message);
    return true;
  }
}
