package gt.quetzal.bench.stack;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every service in one JVM, for {@code ./quetzal up --one-jvm}: each through its production
 * {@code start(Config)} ({@link InProcessStack}), on the devstack the launcher started. A service's own
 * variables come prefixed with its name ({@code INGEST_HTTP__HTTP_PORT=8080}); the rest of the
 * environment, Kafka, Redis and MongoDB included, is what every service sees, as when each has a JVM.
 * Shares the loaded classes, the JIT and one heap, so the stack starts on about half the memory; the
 * fault runs and production keep a process per service.
 */
public final class OneJvmMain {

  /** Between a service's name and its variable: {@code STREAMS_APP__STATE_DIR}. */
  static final String SEPARATOR = "__";

  private static final Logger log = LoggerFactory.getLogger(OneJvmMain.class);

  private OneJvmMain() {}

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    Map<Service, Map<String, String>> own = ownVariables(env);
    InProcessStack.Builder builder = InProcessStack.builder().baseEnv(shared(env));
    own.forEach((service, vars) -> builder.with(service, pairs(vars)));
    InProcessStack stack = builder.startOn(new Infra(
        env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
        env.getOrDefault("REDIS_URL", "redis://localhost:6379"),
        env.getOrDefault("MONGO_URI", "mongodb://localhost:27017")));
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stack.close();
      closed.countDown();
    }, "one-jvm-shutdown"));
    log.info("services up in one JVM: {}", own.keySet());
    closed.await();
  }

  /** Each service's own variables, its prefix taken off; every service gets an entry. */
  static Map<Service, Map<String, String>> ownVariables(Map<String, String> env) {
    Map<Service, Map<String, String>> own = new EnumMap<>(Service.class);
    for (Service service : Service.values()) {
      String prefix = service.name() + SEPARATOR;
      Map<String, String> vars = new LinkedHashMap<>();
      env.forEach((name, value) -> {
        if (name.startsWith(prefix)) {
          vars.put(name.substring(prefix.length()), value);
        }
      });
      own.put(service, vars);
    }
    return own;
  }

  /** The environment without any service's own variables. */
  static Map<String, String> shared(Map<String, String> env) {
    Map<String, String> shared = new LinkedHashMap<>(env);
    shared.keySet().removeIf(name -> {
      for (Service service : Service.values()) {
        if (name.startsWith(service.name() + SEPARATOR)) {
          return true;
        }
      }
      return false;
    });
    return shared;
  }

  private static String[] pairs(Map<String, String> vars) {
    return vars.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
        .toArray(String[]::new);
  }
}
