package gt.quetzal.manifests;

import gt.quetzal.kit.EnvReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The project's own services as the manifests deploy them: the container name, the Maven module that
 * builds its image, the main class the image runs, and the config record that reads its environment.
 * Classes are loaded by name from the test classpath, so the manifests are checked against the code
 * that will actually run.
 */
enum QuetzalService {
  INGEST_HTTP("ingest-http", "ingest", "gt.quetzal.ingest.http.IngestHttpMain", "gt.quetzal.ingest.http.IngestHttpConfig"),
  INGEST_GRPC("ingest-grpc", "ingest", "gt.quetzal.ingest.grpc.IngestGrpcMain", "gt.quetzal.ingest.grpc.IngestGrpcConfig"),
  STREAMS_APP("streams-app", "streams-app", "gt.quetzal.streams.runtime.StreamsMain", "gt.quetzal.streams.runtime.StreamsAppConfig"),
  SINKS("sinks", "sinks", "gt.quetzal.sinks.SinksMain", "gt.quetzal.sinks.SinksConfig"),
  WEB("web", "web", "gt.quetzal.web.WebMain", "gt.quetzal.web.WebConfig");

  /** Read by the JVM itself, not by the service: the one variable every Java container may add. */
  static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS");

  final String container;
  final String module;
  final String mainClass;
  final String configClass;

  QuetzalService(String container, String module, String mainClass, String configClass) {
    this.container = container;
    this.module = module;
    this.mainClass = mainClass;
    this.configClass = configClass;
  }

  static Optional<QuetzalService> byContainer(String name) {
    return Stream.of(values()).filter(s -> s.container.equals(name)).findFirst();
  }

  /** The main class an image runs when its container sets no command: the module's quetzal.mainClass. */
  boolean isModuleDefault() {
    return this != INGEST_GRPC;
  }

  Class<?> load(String className) {
    try {
      return Class.forName(className);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(container + ": " + className + " is not on the classpath (module " + module + ")", e);
    }
  }

  /** What the service made of an environment: its config, the variables it asked for, and how we know. */
  record ConfigRead(Object config, Set<String> consulted, String how, List<String> problems) {}

  /**
   * Builds the service's config from exactly this environment (no System.getenv), like the pod will.
   * The set of variables it reads comes from {@link EnvReader#consulted()} through a
   * {@code static fromEnv(EnvReader)} seam when the record has one; until then, from the string
   * literals of the module's sources that look like variable names (a superset, so only a misspelt or
   * unread variable is caught).
   */
  ConfigRead read(Map<String, String> env) {
    Class<?> type = load(configClass);
    List<String> problems = new ArrayList<>();
    Object config = null;
    try {
      Method fromMap = type.getMethod("fromEnv", Map.class);
      config = fromMap.invoke(null, env);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof EnvReader.ConfigException bad) {
        bad.problems().forEach(p -> problems.add(container + ": " + p));
      } else {
        problems.add(container + ": " + configClass + ".fromEnv failed: " + cause);
      }
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(configClass + " has no public static fromEnv(Map)", e);
    }
    Optional<Method> seam = Stream.of(type.getMethods())
        .filter(m -> m.getName().equals("fromEnv") && Modifier.isStatic(m.getModifiers()))
        .filter(m -> m.getParameterCount() == 1 && m.getParameterTypes()[0] == EnvReader.class)
        .findFirst();
    if (seam.isPresent()) {
      EnvReader reader = new EnvReader(env);
      try {
        seam.get().invoke(null, reader);
      } catch (InvocationTargetException e) {
        // Already reported through fromEnv(Map); the reader still knows what was asked.
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
      return new ConfigRead(config, new TreeSet<>(reader.consulted()), "EnvReader.consulted()", problems);
    }
    return new ConfigRead(config, sourceLiterals(), "string literals in " + module + "/src/main/java", problems);
  }

  private static final Pattern VARIABLE_LITERAL = Pattern.compile("\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{3,})\"");

  private Set<String> sourceLiterals() {
    Set<String> names = new TreeSet<>();
    Path sources = Repo.root().resolve(module).resolve("src/main/java");
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = VARIABLE_LITERAL.matcher(Files.readString(file));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /**
   * Every string-like value inside the config (recursing into nested records), by component path:
   * used to spot a default that points at localhost, which in a pod is the pod itself.
   */
  static Map<String, String> textValues(Object config) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    collect(config, "", out);
    return out;
  }

  private static void collect(Object value, String path, Map<String, String> out) {
    if (value == null) {
      return;
    }
    if (value instanceof String || value instanceof URI || value instanceof Path) {
      out.put(path, value.toString());
    } else if (value.getClass().isRecord()) {
      for (RecordComponent component : value.getClass().getRecordComponents()) {
        try {
          Method accessor = component.getAccessor();
          accessor.setAccessible(true);
          collect(accessor.invoke(value), path.isEmpty() ? component.getName() : path + "." + component.getName(), out);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
    }
  }

  /**
   * The port the service serves {@code /metrics} (and its other operational endpoints) on, as its config
   * says: the {@code opsPort} component when the record has one and it is set (OPS_PORT), otherwise
   * {@code httpPort} (for ingest-grpc, the streams app and the sinks that port is operational only).
   * Empty when the config has neither.
   */
  static java.util.OptionalInt metricsPort(Object config) {
    java.util.OptionalInt ops = intComponent(config, "opsPort");
    return ops.isPresent() ? ops : intComponent(config, "httpPort");
  }

  /** A port-like record component: int (0 or less is unset), Integer, OptionalInt or Optional<Integer>. */
  private static java.util.OptionalInt intComponent(Object config, String name) {
    if (config == null || !config.getClass().isRecord()) {
      return java.util.OptionalInt.empty();
    }
    for (RecordComponent component : config.getClass().getRecordComponents()) {
      if (!component.getName().equals(name)) {
        continue;
      }
      Object value;
      try {
        Method accessor = component.getAccessor();
        accessor.setAccessible(true);
        value = accessor.invoke(config);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
      if (value instanceof Optional<?> optional) {
        value = optional.orElse(null);
      }
      if (value instanceof java.util.OptionalInt optional) {
        return optional;
      }
      if (value instanceof Integer port && port > 0) {
        return java.util.OptionalInt.of(port);
      }
    }
    return java.util.OptionalInt.empty();
  }

  /**
   * The longest time the service may spend shutting down, in ms: record components named like
   * shutdown/close timeouts in its config, and static Duration constants of that name in its main
   * class; or, when the config states its whole stop ({@code long shutdownBudgetMs()}: the drain
   * plus what closes after it), that, if longer. The pod's termination grace period must exceed it.
   */
  long shutdownBudgetMillis(Object config) {
    long max = 0;
    if (config != null) {
      max = Math.max(max, timeouts(config));
      try {
        Method stated = config.getClass().getMethod("shutdownBudgetMs");
        if (stated.getReturnType() == long.class) {
          max = Math.max(max, (long) stated.invoke(config));
        }
      } catch (NoSuchMethodException e) {
        // only the named timeouts, then
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(config.getClass() + ".shutdownBudgetMs() failed", e);
      }
    }
    for (Field field : load(mainClass).getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == Duration.class
          && field.getName().matches("(?i).*(CLOSE|SHUTDOWN).*TIMEOUT.*")) {
        try {
          field.setAccessible(true);
          max = Math.max(max, ((Duration) field.get(null)).toMillis());
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return max;
  }

  private static long timeouts(Object record) {
    long max = 0;
    for (RecordComponent component : record.getClass().getRecordComponents()) {
      Object value;
      try {
        Method accessor = component.getAccessor();
        accessor.setAccessible(true);
        value = accessor.invoke(record);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
      boolean named = component.getName().matches("(?i).*(close|shutdown).*timeout.*");
      if (named && value instanceof Long ms) {
        max = Math.max(max, ms);
      } else if (named && value instanceof Integer ms) {
        max = Math.max(max, ms);
      } else if (named && value instanceof Duration d) {
        max = Math.max(max, d.toMillis());
      } else if (value != null && value.getClass().isRecord()) {
        max = Math.max(max, timeouts(value));
      }
    }
    return max;
  }
}
