package gt.quetzal.manifests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM container's memory limit must hold everything the JVM and its native libraries take, or the
 * kernel OOM-kills it under load (the heap alone never reports the problem):
 *
 * <pre>heap + RocksDB pool + metaspace + code cache + threads × stack + headroom ≤ limit</pre>
 *
 * heap is the last -Xmx of JAVA_TOOL_OPTIONS / KAFKA_HEAP_OPTS, else MaxRAMPercentage (JVM default 25)
 * of the limit; the RocksDB pool is what the service's own config record makes of the pod's
 * environment (StreamsAppConfig's rocksDbCacheBytes, so its default comes from the code). The other
 * terms are estimates of resident use, not measurements, chosen on the generous side.
 */
final class MemoryBudget {

  static final long MIB = 1024L * 1024;
  /** Classes of Kafka clients, Jetty/Javalin or Netty/gRPC, Micrometer and RocksDB's JNI side. */
  static final long METASPACE = 80 * MIB;
  /** JIT-compiled code actually resident (the 240 MiB reservation is not). */
  static final long CODE_CACHE = 48 * MIB;
  /** Default thread stack on Linux x64 and aarch64, unless -Xss says otherwise. */
  static final long DEFAULT_STACK = MIB;
  /** Threads: a service (HTTP/gRPC pools, Kafka client, stream threads), a one-shot tool, a broker. */
  static final int SERVICE_THREADS = 40;
  static final int TOOL_THREADS = 20;
  static final int BROKER_THREADS = 100;
  /** Direct buffers, GC structures and malloc arenas: a tenth of the limit, at least 32 MiB. */
  static final long MIN_HEADROOM = 32 * MIB;
  /** kafka-server-start.sh's heap when KAFKA_HEAP_OPTS is unset. */
  static final long KAFKA_SCRIPT_DEFAULT_HEAP = 1024 * MIB;

  private static final Pattern XMX = Pattern.compile("-Xmx(\\d+[kKmMgG]?)");
  private static final Pattern XSS = Pattern.compile("-Xss(\\d+[kKmMgG]?)");
  private static final Pattern RAM_PERCENT = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)");

  private MemoryBudget() {}

  /** What one container needs, term by term. */
  record Need(long heap, long rocksDb, long metaspace, long codeCache, int threads, long stack, long headroom) {
    long total() {
      return heap + rocksDb + metaspace + codeCache + threads * stack + headroom;
    }

    String explain() {
      return "heap " + heap / MIB + " + RocksDB " + rocksDb / MIB + " + metaspace " + metaspace / MIB
          + " + code cache " + codeCache / MIB + " + " + threads + " threads × " + stack / MIB + " + headroom "
          + headroom / MIB + " = " + total() / MIB + " MiB";
    }
  }

  static List<String> check(Rendered r, BiFunction<Rendered.Workload, Container, Object> configOf) {
    List<String> problems = new ArrayList<>();
    for (Rendered.Workload w : r.workloads()) {
      for (Container c : w.containers()) {
        Map<String, String> env = PodEnv.resolve(r, w, c).values();
        boolean quetzal = QuetzalService.byContainer(c.getName()).isPresent() || Wiring.CONTEST_TOOL.equals(c.getName());
        boolean kafka = String.valueOf(c.getImage()).startsWith("apache/kafka:");
        if (!quetzal && !kafka && !env.containsKey("JAVA_TOOL_OPTIONS")) {
          continue; // not a JVM: Redis, MongoDB, Grafana and Prometheus bound themselves
        }
        String where = r.name() + ": " + w + " container " + c.getName();
        Quantity limitQuantity = c.getResources() == null || c.getResources().getLimits() == null
            ? null : c.getResources().getLimits().get("memory");
        if (limitQuantity == null) {
          problems.add(where + ": a JVM without a memory limit cannot be budgeted");
          continue;
        }
        long limit = Quantity.getAmountInBytes(limitQuantity).longValue();
        int threads = kafka && w.longRunning() ? BROKER_THREADS : w.longRunning() ? SERVICE_THREADS : TOOL_THREADS;
        Need need = need(env, limit, kafka, threads, quetzal ? rocksDbBytes(configOf.apply(w, c)) : 0);
        if (need.total() > limit) {
          problems.add(where + ": memory limit " + limit / MIB + " MiB is below what the JVM takes: "
              + need.explain() + "; lower the heap or ROCKSDB_CACHE_BYTES, or raise the limit");
        }
      }
    }
    return problems;
  }

  static Need need(Map<String, String> env, long limit, boolean kafkaScript, int threads, long rocksDb) {
    String options = env.getOrDefault("JAVA_TOOL_OPTIONS", "") + " " + env.getOrDefault("KAFKA_HEAP_OPTS", "");
    long heap;
    Matcher xmx = XMX.matcher(options);
    String lastXmx = null;
    while (xmx.find()) {
      lastXmx = xmx.group(1);
    }
    Matcher percent = RAM_PERCENT.matcher(options);
    String lastPercent = null;
    while (percent.find()) {
      lastPercent = percent.group(1);
    }
    if (lastXmx != null) {
      heap = bytes(lastXmx);
    } else if (kafkaScript && !env.containsKey("KAFKA_HEAP_OPTS")) {
      heap = KAFKA_SCRIPT_DEFAULT_HEAP;
    } else {
      BigDecimal share = new BigDecimal(lastPercent == null ? "25" : lastPercent);
      heap = BigDecimal.valueOf(limit).multiply(share).divide(BigDecimal.valueOf(100)).longValue();
    }
    Matcher xss = XSS.matcher(options);
    long stack = DEFAULT_STACK;
    while (xss.find()) {
      stack = bytes(xss.group(1));
    }
    long headroom = Math.max(MIN_HEADROOM, limit / 10);
    return new Need(heap, rocksDb, METASPACE, CODE_CACHE, threads, stack, headroom);
  }

  /** A JVM size: bytes, or with k/m/g. */
  static long bytes(String size) {
    char unit = Character.toLowerCase(size.charAt(size.length() - 1));
    long factor = switch (unit) {
      case 'k' -> 1024L;
      case 'm' -> MIB;
      case 'g' -> 1024 * MIB;
      default -> 1;
    };
    String digits = Character.isDigit(unit) ? size : size.substring(0, size.length() - 1);
    return Long.parseLong(digits) * factor;
  }

  /** The config record's rocksDbCacheBytes (the pool the service will allocate), or 0 without one. */
  static long rocksDbBytes(Object config) {
    if (config == null || !config.getClass().isRecord()) {
      return 0;
    }
    for (RecordComponent component : config.getClass().getRecordComponents()) {
      if (component.getName().equals("rocksDbCacheBytes")) {
        try {
          component.getAccessor().setAccessible(true);
          return ((Number) component.getAccessor().invoke(config)).longValue();
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
    }
    return 0;
  }
}
