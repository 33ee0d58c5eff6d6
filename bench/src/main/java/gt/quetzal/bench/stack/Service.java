package gt.quetzal.bench.stack;

import gt.quetzal.ingest.grpc.IngestGrpcMain;
import gt.quetzal.ingest.http.IngestHttpMain;
import gt.quetzal.sinks.SinksMain;
import gt.quetzal.streams.runtime.StreamsMain;
import gt.quetzal.web.WebMain;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The stages a stack runs, in the order it starts them: the counting side first and the front doors
 * last, so that a vote let in can be counted.
 */
public enum Service {
  STREAMS_APP(StreamsMain.class),
  SINKS(SinksMain.class),
  WEB(WebMain.class),
  INGEST_HTTP(IngestHttpMain.class),
  INGEST_GRPC(IngestGrpcMain.class);

  private final Class<?> main;

  Service(Class<?> main) {
    this.main = main;
  }

  /** The name the launcher and the logs use: this one in lower case, words joined by '-'. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The class to run when the service gets a JVM of its own. */
  public String mainClass() {
    return main.getName();
  }

  /** Name, value, name, value, ... as a map. */
  public static Map<String, String> vars(String... pairs) {
    if (pairs.length % 2 != 0) {
      throw new IllegalArgumentException("environment pairs come in twos: " + List.of(pairs));
    }
    Map<String, String> vars = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      vars.put(pairs[i], pairs[i + 1]);
    }
    return vars;
  }

  /**
   * The service's environment on {@code infra}: {@code base} (the caller's own variables, tuning say),
   * with where Kafka, Redis and MongoDB are and every port the system's pick (0) put over it.
   */
  public Map<String, String> env(Infra infra, Map<String, String> base) {
    Map<String, String> env = new LinkedHashMap<>(base);
    env.put("KAFKA_BOOTSTRAP_SERVERS", infra.bootstrapServers());
    env.put("REDIS_URL", infra.redisUrl());
    env.put("MONGO_URI", infra.mongoUri());
    env.put("HTTP_PORT", "0");
    if (this == INGEST_GRPC) {
      env.put("GRPC_PORT", "0");
    }
    return env;
  }
}
