package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's Locust as a child process, headless, bounded by its own {@code -t} and by a wait on the process. */
final class Locust {

  static final Path BIN = Path.of("/usr/bin/locust");

  /** What Locust printed (its log) and how it exited. */
  record Run(int exitCode, String output) {}

  private Locust() {}

  /**
   * Runs {@code locust <arguments>} in {@code dir} with its output in {@code log}; fails the test, showing
   * that output, when it is still running after {@code timeoutSeconds}.
   */
  static Run run(Path dir, Path log, long timeoutSeconds, String... arguments)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(BIN.toString()));
    command.addAll(List.of(arguments));
    Process locust = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    boolean finished = locust.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!finished) {
      locust.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished).as("Locust did not finish within %d s:%n%s", timeoutSeconds, output).isTrue();
    return new Run(locust.exitValue(), output);
  }
}
