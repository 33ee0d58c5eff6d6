package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every shell command in README.md and docs/*.md passes what {@link DocCommands} can check offline. */
class DocCommandsTest {

  private static DocCommands docs;

  @BeforeAll
  static void readTheLauncher() {
    docs = new DocCommands(Repo.root(), DocCommands.Launcher.of(Repo.root()));
  }

  static Stream<Path> documents() throws IOException {
    List<Path> files = new ArrayList<>(List.of(Repo.root().resolve("README.md")));
    try (Stream<Path> md = Files.list(Repo.root().resolve("docs"))) {
      md.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void everyCommandAndLinkOfTheDocumentChecksOut(Path file) throws IOException {
    String name = Repo.root().relativize(file).toString();
    assertThat(docs.check(name, Files.readString(file), file.getParent())).isEmpty();
  }

  @Test
  void theLauncherGrammarIsReadFromItsHelp() {
    DocCommands.Launcher launcher = DocCommands.Launcher.of(Repo.root());
    assertThat(launcher.subcommands()).containsKeys("up", "contest", "load", "bench", "faults", "build", "clean", "help");
    assertThat(launcher.subcommands().get("contest")).containsExactlyInAnyOrder("apply", "show", "from-traffic");
    assertThat(launcher.subcommands().get("bench")).containsExactlyInAnyOrder("ingest", "sinks", "streams", "up", "all", "table");
    assertThat(launcher.options().get("up")).contains("--catalog", "--demo");
    assertThat(launcher.options().get("load")).contains("--users", "--grpc-target", "--traffic", "--route");
    assertThat(launcher.subcommands().get("k8s")).containsExactly("verify");
    assertThat(launcher.options().get("k8s")).contains("--namespace", "--votes", "--target", "--ingress");
  }

  @Test
  void shellWordsAreSplitLikeTheShellSplitsThem() {
    assertThat(DocCommands.commands("A=1 ./quetzal up --catalog 'a b' # note\nx \\\n  --y && z | w"))
        .containsExactly(List.of("A=1", "./quetzal", "up", "--catalog", "a b"), List.of("x", "--y"), List.of("z"), List.of("w"));
  }

  // ---- broken fixtures: each must fail the check, with the reason named

  private static List<String> problemsOf(String markdown) {
    return docs.check("fixture.md", markdown, Repo.root().resolve("docs"));
  }

  @Test
  void aMissingPathIsCaught() {
    assertThat(problemsOf("```bash\nkubectl apply -k manifests/overlays/staging\n```\n"))
        .containsExactly("fixture.md: `kubectl apply -k manifests/overlays/staging`: -k manifests/overlays/staging does not exist");
    // The guide's old Locust command, before issue 18.
    assertThat(problemsOf("```bash\n/usr/bin/locust -f load/locustfile.py --headless -u 200 --host http://<node>\n```\n"))
        .anySatisfy(p -> assertThat(p).contains("-f load/locustfile.py does not exist"));
    assertThat(problemsOf("```bash\n./quetzal load --traffic load/trafic.json\n```\n"))
        .anySatisfy(p -> assertThat(p).contains("--traffic load/trafic.json does not exist"));
  }

  @Test
  void anUnknownLauncherCommandSubcommandOrOptionIsCaught() {
    assertThat(problemsOf("```bash\n./quetzal deploy\n```\n"))
        .anySatisfy(p -> assertThat(p).contains("./quetzal has no command deploy"));
    assertThat(problemsOf("```bash\n./quetzal bench kafka\n```\n"))
        .anySatisfy(p -> assertThat(p).contains("./quetzal bench has no subcommand kafka"));
    assertThat(problemsOf("```bash\n./quetzal load --userz 5\n```\n"))
        .anySatisfy(p -> assertThat(p).contains("./quetzal load has no option --userz"));
    assertThat(problemsOf("```bash\n./quetzal k8s verify --votez 5\n```\n"))
        .anySatisfy(p -> assertThat(p).contains("./quetzal k8s has no option --votez"));
    assertThat(problemsOf("```bash\n./quetzal k8s deploy\n```\n"))
        .anySatisfy(p -> assertThat(p).contains("./quetzal k8s has no subcommand deploy"));
  }

  @Test
  void anUnknownLocustClassOrOptionIsCaught() {
    assertThat(problemsOf("```bash\n/usr/bin/locust -f load/locust/locustfile.py --headless -u 5 HttpVoter WsVoter\n```\n"))
        .containsExactly("fixture.md: `/usr/bin/locust -f load/locust/locustfile.py --headless -u 5 HttpVoter WsVoter`:"
            + " load/locust/locustfile.py has no user class WsVoter (it has [GrpcVoter, HttpVoter])");
    assertThat(problemsOf("```bash\n/usr/bin/locust -f load/locust/locustfile.py --grpc-targt x:80 GrpcVoter\n```\n"))
        .anySatisfy(p -> assertThat(p).contains("--grpc-targt is neither Locust's option nor one load/locust/locustfile.py adds"));
  }

  @Test
  void aDeadDocLinkIsCaught() {
    assertThat(problemsOf("See [the guide](kubernetes.md#prod) and [nothing](nowhere.md).\n"))
        .containsExactly("fixture.md: link to nowhere.md, which does not exist");
  }

  @Test
  void placeholdersAndOtherLanguagesAreLeftAlone() {
    assertThat(problemsOf("```bash\n./quetzal up --catalog /tmp/contest.json\nkubectl apply -f <your-file>\n```\n"
        + "```yaml\nx: -f nowhere.yaml\n```\n")).isEmpty();
  }
}
