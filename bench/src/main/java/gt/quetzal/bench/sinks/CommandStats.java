package gt.quetzal.bench.sinks;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Calls per command from Redis' {@code INFO commandstats}, e.g. {@code cmdstat_hincrby:calls=2,usec=9,...}.
 * Commands run by a Lua script are counted there too, under their own names, next to the {@code evalsha}
 * that ran them.
 */
public record CommandStats(Map<String, Long> calls) {

  public CommandStats {
    calls = Map.copyOf(calls);
  }

  /** Commands the benchmark itself sends to watch and reset Redis; never counted against a design. */
  public static boolean isBenchOwn(String command) {
    String base = command.contains("|") ? command.substring(0, command.indexOf('|')) : command;
    return switch (base) {
      case "info", "config", "hvals", "hgetall", "client", "hello", "select", "ping", "auth", "command", "dbsize" -> true;
      default -> false;
    };
  }

  /** Parses the text of {@code INFO commandstats}; lines that are not {@code cmdstat_*} are skipped. */
  public static CommandStats parse(String info) {
    Map<String, Long> calls = new TreeMap<>();
    for (String raw : info.split("\r?\n")) {
      String line = raw.trim();
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring("cmdstat_".length(), colon);
      for (String pair : line.substring(colon + 1).split(",")) {
        if (pair.startsWith("calls=")) {
          calls.put(name, Long.parseLong(pair.substring("calls=".length())));
        }
      }
    }
    return new CommandStats(calls);
  }

  /** What happened between {@code earlier} and this snapshot (a command missing earlier counts from 0). */
  public CommandStats minus(CommandStats earlier) {
    Map<String, Long> delta = new TreeMap<>();
    calls.forEach(
        (name, n) -> {
          long d = n - earlier.calls.getOrDefault(name, 0L);
          if (d != 0) {
            delta.put(name, d);
          }
        });
    return new CommandStats(delta);
  }

  public long total(Predicate<String> counted) {
    return calls.entrySet().stream()
        .filter(e -> counted.test(e.getKey()))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  /** Every command but the benchmark's own. */
  public long designTotal() {
    return total(c -> !isBenchOwn(c));
  }

  /** Commands a client sent on the wire, leaving out those a script ran inside Redis. */
  public long clientIssued(Predicate<String> scriptInner) {
    return total(c -> !isBenchOwn(c) && !scriptInner.test(c));
  }

  public long of(String command) {
    return calls.getOrDefault(command, 0L);
  }

  /** Compact listing, largest first, for the report. */
  public String describe(Predicate<String> shown) {
    StringBuilder out = new StringBuilder();
    calls.entrySet().stream()
        .filter(e -> shown.test(e.getKey()))
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> out.append(out.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue()));
    return out.toString();
  }
}
