package gt.quetzal.bench.fault;

import gt.quetzal.bench.BenchEnv;
import gt.quetzal.kit.EnvReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of {@code ./quetzal faults}, read once from the environment (the launcher sets them).
 *
 * @param logDir            {@code FAULTS_LOG_DIR}: child JVM logs (default {@code .quetzal/faults/logs})
 * @param votesPerSecond    {@code FAULTS_RATE}: votes per second over the four routes together (default 1000)
 * @param settleSeconds     {@code FAULTS_SETTLE_SECONDS}: bound on waiting for the stores (default 120)
 * @param launcher          {@code FAULTS_LAUNCHER}: the {@code quetzal} script, for fault 6 (none: 6 is skipped)
 * @param launcherHome      {@code FAULTS_LAUNCHER_HOME}: scratch QUETZAL_HOME of fault 6's stack
 * @param catalogFile       {@code CATALOG_FILE}: the catalog {@code ./quetzal up} loads (default config/catalog.json)
 */
public record FaultsConfig(
    Path logDir, int votesPerSecond, int settleSeconds, Path launcher, Path launcherHome, Path catalogFile) {

  public static FaultsConfig fromEnv(Map<String, String> environment) {
    EnvReader env = new EnvReader(environment);
    Path logDir = Path.of(env.string("FAULTS_LOG_DIR", ".quetzal/faults/logs"));
    int rate = env.integer("FAULTS_RATE", 1_000, 8, 20_000);
    int settle = env.integer("FAULTS_SETTLE_SECONDS", 120, 10, 3_600);
    String launcherText = env.optional("FAULTS_LAUNCHER");
    Path launcher = launcherText == null ? null : Path.of(launcherText);
    if (launcher != null && !Files.isRegularFile(launcher)) {
      env.problem("FAULTS_LAUNCHER=" + launcherText + " is not a file");
    }
    Path launcherHome = Path.of(env.string("FAULTS_LAUNCHER_HOME", ".quetzal/faults/stack"));
    Path catalog = BenchEnv.catalogFile(env, launcher != null);
    env.validate("faults");
    return new FaultsConfig(logDir, rate, settle, launcher, launcherHome, catalog);
  }

  FaultRun.Settings runSettings() {
    return new FaultRun.Settings(
        SteadySender.Settings.DEFAULT.withRate(votesPerSecond),
        FaultRun.Settings.DEFAULT.warmUp(),
        FaultRun.Settings.DEFAULT.afterRecovery(),
        Duration.ofSeconds(settleSeconds),
        FaultRun.Settings.DEFAULT.settleInterval());
  }

  /**
   * The whole stack takes far longer to come back than one part: the retry window must outlast a stop and a
   * cold start of seven JVMs.
   */
  FaultRun.Settings wholeStackSettings() {
    FaultRun.Settings base = runSettings();
    return new FaultRun.Settings(
        base.sender().withRetryWindow(Duration.ofSeconds(180), Duration.ofSeconds(2)),
        base.warmUp(), base.afterRecovery(), base.settleTimeout(), base.settleInterval());
  }
}
