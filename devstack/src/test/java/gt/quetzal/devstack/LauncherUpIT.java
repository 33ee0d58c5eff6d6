package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data sharing and RSS sum (launcher/cds.sh), sourced alone into bash and
 * run against real JVMs: an archive is used only for the build it was made from, only an archive a
 * JVM can map is kept, and the build's training start runs only when an archive is missing or stale.
 */
class LauncherUpIT {

  private static final Path SCRIPT = Path.of("..", "launcher", "cds.sh").toAbsolutePath().normalize();

  @TempDir Path home;
  private Path jar;

  @BeforeEach
  void helloJar() throws IOException {
    Path src = home.resolve("src/Hello.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, "public class Hello { public static void main(String[] a) { System.out.println(\"hi\"); } }");
    assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", src.getParent().toString(), src.toString()))
        .isZero();
    jar = home.resolve("app/hello.jar");
    Files.createDirectories(jar.getParent());
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out)) {
      jarOut.putNextEntry(new JarEntry("Hello.class"));
      jarOut.write(Files.readAllBytes(src.resolveSibling("Hello.class")));
      jarOut.closeEntry();
    }
  }

  @Test
  void anArchiveIsWrittenOnceThenMappedUntilTheBuildChanges() throws Exception {
    List<String> first = cdsOption();
    assertThat(first).contains("-XX:ArchiveClassesAtExit=" + cds("hello.jsa.part"));
    assertThat(bash("cds_pending hello && echo pending")).isEqualTo("pending");

    assertThat(runHello(first).exit()).isZero();
    bash("cds_promote hello 0 " + jar);
    assertThat(cds("hello.jsa")).exists();
    assertThat(cds("hello.jsa.part")).doesNotExist();
    assertThat(bash("cds_pending hello || echo done")).isEqualTo("done");

    List<String> second = cdsOption();
    assertThat(second).containsExactly("-XX:SharedArchiveFile=" + cds("hello.jsa"));
    List<String> mapped = new ArrayList<>(second);
    mapped.add("-Xlog:class+load=info");
    assertThat(runHello(mapped).output()).contains("Hello source: shared objects file (top)");

    // A rebuilt jar: the JVM would refuse the archive (and warn), so the launcher writes a new one.
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
    Run stale = runHello(second);
    assertThat(stale.exit()).as("a stale archive must not stop the JVM").isZero();
    assertThat(stale.output()).contains("hi");
    assertThat(cdsOption()).contains("-XX:ArchiveClassesAtExit=" + cds("hello.jsa.part"));
    assertThat(cds("hello.jsa")).doesNotExist();
  }

  @Test
  void anArchiveFromAKilledOrBrokenRunIsDropped() throws Exception {
    assertThat(runHello(cdsOption()).exit()).isZero();
    bash("cds_promote hello 137 " + jar);
    assertThat(cds("hello.jsa")).doesNotExist();
    assertThat(cds("hello.jsa.part")).doesNotExist();

    // A dump cut short: the JVM that maps such a file crashes, so the check before keeping it must fail.
    assertThat(runHello(cdsOption()).exit()).isZero();
    byte[] whole = Files.readAllBytes(cds("hello.jsa.part"));
    Files.write(cds("hello.jsa.part"), java.util.Arrays.copyOf(whole, whole.length / 2));
    bash("cds_promote hello 143 " + jar);
    assertThat(cds("hello.jsa")).doesNotExist();
    try (var left = Files.list(home)) {
      assertThat(left.map(Path::getFileName).map(Path::toString)).as("the crash leaves no hs_err file behind")
          .noneMatch(name -> name.startsWith("hs_err"));
    }
    assertThat(cdsOption()).contains("-XX:ArchiveClassesAtExit=" + cds("hello.jsa.part"));
  }

  @Test
  void theBuildTrainsOnlyWhenAnArchiveIsMissingOrStale() throws Exception {
    String ensure = jvms() + training(0) + "cds_ensure train";
    assertThat(bash(ensure)).contains("making the class-data archives for hello").contains("class-data archives made in");
    assertThat(cds("hello.jsa")).exists();
    assertThat(trainings()).isEqualTo(1);
    assertThat(cdsOption()).as("the first start after the build maps it").containsExactly("-XX:SharedArchiveFile=" + cds("hello.jsa"));

    assertThat(bash(ensure)).as("a current archive needs no training").isEmpty();
    assertThat(trainings()).isEqualTo(1);

    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
    bash(ensure);
    assertThat(trainings()).as("a rebuilt jar is trained again").isEqualTo(2);
    assertThat(cdsOption()).containsExactly("-XX:SharedArchiveFile=" + cds("hello.jsa"));
  }

  @Test
  void aTrainingThatLeavesNoArchiveFailsNamingTheJvm() throws Exception {
    // The training JVM wrote its archive but was killed (137): nothing may be kept, and the build is told.
    Run run = run(List.of("bash", "-c", prelude() + jvms() + training(137) + "cds_ensure train"));
    assertThat(run.exit()).as(run.output()).isNotZero();
    assertThat(run.output()).contains("no class-data archive for hello");
    assertThat(trainings()).isEqualTo(1);
    assertThat(cds("hello.jsa")).doesNotExist();
  }

  @Test
  void offMeansNoOption() throws Exception {
    assertThat(bash("QUETZAL_CDS=off cds_option hello " + jar)).isEmpty();
    assertThat(bash("QUETZAL_CDS=off; " + jvms() + training(0) + "cds_ensure train")).isEmpty();
    assertThat(trainings()).as("off makes no archives at build time either").isZero();
  }

  /** The JVMs whose archives the build makes: here the one hello JVM, with the options it runs with. */
  private String jvms() {
    return "cds_jvms() { echo 'hello " + jar + " -XX:+UseSerialGC'; }; ";
  }

  /** A training command: starts hello as the launcher would and keeps its archive as if it exited with STATUS. */
  private String training(int status) {
    return "train() { echo run >>trainings; java -XX:+UseSerialGC $(cds_option hello " + jar + " -XX:+UseSerialGC) -cp "
        + jar + " Hello >/dev/null; cds_promote hello " + status + " " + jar + "; }; ";
  }

  private long trainings() throws IOException {
    Path file = home.resolve("trainings");
    return Files.exists(file) ? Files.readAllLines(file).size() : 0;
  }

  @Test
  void stackRssSumsTheProcessesAndTheirDescendants() throws Exception {
    Process tree = new ProcessBuilder("bash", "-c", "sleep 60 & sleep 60 & wait").start();
    try {
      org.awaitility.Awaitility.await().until(() -> tree.descendants().count() == 2);
      long kb = vmRssKb(tree.pid());
      for (ProcessHandle child : tree.descendants().toList()) {
        kb += vmRssKb(child.pid());
      }
      assertThat(vmRssKb(tree.pid()) / 1024).as("the children must matter").isLessThan(kb / 1024);
      assertThat(Long.parseLong(bash("stack_rss " + tree.pid()))).isEqualTo(kb / 1024);
    } finally {
      tree.descendants().forEach(ProcessHandle::destroy);
      tree.destroy();
    }
  }

  @Test
  void aJvmThatOutlivesItsStopIsKilledWithItsChildren() throws Exception {
    // Like a devstack too slow to stop, whose redis-server would keep its port: both must go.
    Process parent = new ProcessBuilder("bash", "-c", "trap '' TERM; sleep 60 & wait").start();
    List<ProcessHandle> children = new ArrayList<>();
    try {
      org.awaitility.Awaitility.await().until(() -> parent.descendants().count() == 1);
      children.addAll(parent.descendants().toList());
      bash("source '" + SCRIPT.resolveSibling("stack.sh") + "'; wait_pids 1 " + parent.pid());
      assertThat(parent.waitFor(10, TimeUnit.SECONDS)).isTrue();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !children.get(0).isAlive());
    } finally {
      children.forEach(ProcessHandle::destroyForcibly);
      parent.destroyForcibly();
    }
  }

  private static long vmRssKb(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(line -> line.startsWith("VmRSS:"))
        .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
        .sum();
  }

  private Path cds(String file) {
    return home.resolve("target/cds").resolve(file);
  }

  private List<String> cdsOption() throws Exception {
    String out = bash("cds_option hello " + jar + " -XX:+UseSerialGC");
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }

  private Run runHello(List<String> options) throws Exception {
    List<String> command = new ArrayList<>(List.of("java", "-XX:+UseSerialGC"));
    command.addAll(options);
    command.addAll(List.of("-cp", jar.toString(), "Hello"));
    return run(command);
  }

  private String bash(String line) throws Exception {
    Run run = run(List.of("bash", "-c", prelude() + line));
    assertThat(run.exit()).as(run.output()).isZero();
    return run.output().strip();
  }

  private String prelude() {
    return "set -euo pipefail; ROOT='" + home + "'; source '" + SCRIPT + "'; ";
  }

  private Run run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), output);
  }

  private record Run(int exit, String output) {}
}
