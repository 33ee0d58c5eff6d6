package gt.quetzal.bench.fault;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ./quetzal faults [N ...]}: runs faults 1 to 5, 8 and 9 on a throw-away one-broker stack, fault 7 on a
 * throw-away three-broker one and, when the launcher is given, fault 6 on {@code ./quetzal up}; prints one
 * Markdown table, the one of docs/reliability.md.
 * Exits 0 when every run passed, 1 when one failed, 2 on bad usage.
 */
public final class FaultsMain {

  private FaultsMain() {}

  public static void main(String[] args) {
    PrintStream out = System.out;
    Set<Fault> faults;
    FaultsConfig config;
    try {
      faults = parse(args);
      config = FaultsConfig.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) { // EnvReader.ConfigException included
      System.err.println("faults: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (faults.contains(Fault.WHOLE_STACK) && config.launcher() == null) {
      System.err.println("faults: fault 6 needs FAULTS_LAUNCHER (run it through ./quetzal faults)");
      System.exit(2);
      return;
    }
    Instant started = Instant.now();
    List<FaultResult> results = new ArrayList<>();
    for (int brokers : new int[] {1, 3}) {
      Set<Fault> local = EnumSet.noneOf(Fault.class);
      faults.stream().filter(f -> f != Fault.WHOLE_STACK && f.brokers() == brokers).forEach(local::add);
      if (local.isEmpty()) {
        continue;
      }
      out.println("faults: starting a throw-away stack (" + brokers + " Kafka broker(s), Redis, MongoDB stand-in,"
          + " ingest; streams app and sinks as child JVMs); logs in " + config.logDir().toAbsolutePath());
      try (LocalStack stack = LocalStack.start(LocalStack.Settings.defaults(config.logDir()).withBrokers(brokers))) {
        FaultRun run = new FaultRun(stack, config.runSettings(), out);
        for (Fault fault : local) {
          results.add(run.run(fault));
        }
      }
    }
    if (faults.contains(Fault.WHOLE_STACK)) {
      out.println("faults: starting ./quetzal up on " + config.launcherHome().toAbsolutePath()
          + " (its fixed ports, printed in its table: nothing else may hold them)");
      LauncherStack stack = new LauncherStack(
          config.launcher(), config.launcherHome(), config.catalogFile(), Duration.ofSeconds(240));
      Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "faults-launcher-stop"));
      try (stack) {
        stack.start();
        results.add(new FaultRun(stack, config.wholeStackSettings(), out).run(Fault.WHOLE_STACK));
      }
    }
    results.sort(Comparator.comparingInt(r -> r.fault().number()));
    out.println();
    out.printf("Fault runs of %s (%d s), ./quetzal faults %s:%n%n", started.truncatedTo(ChronoUnit.SECONDS),
        Duration.between(started, Instant.now()).toSeconds(), args.length == 0 ? "(all)" : String.join(" ", args));
    out.print(FaultReport.markdown(results));
    out.flush();
    System.exit(results.stream().allMatch(FaultResult::passed) ? 0 : 1);
  }

  /** No argument: all of them; otherwise the numbers given ("all" also means all). */
  static Set<Fault> parse(String[] args) {
    if (args.length == 0) {
      return EnumSet.allOf(Fault.class);
    }
    Set<Fault> faults = EnumSet.noneOf(Fault.class);
    for (String arg : args) {
      if (arg.equals("all")) {
        faults.addAll(EnumSet.allOf(Fault.class));
      } else {
        try {
          faults.add(Fault.byNumber(Integer.parseInt(arg)));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "'" + arg + "' is not a fault number (1 to " + Fault.values().length + ") or 'all'");
        }
      }
    }
    return faults;
  }
}
