package gt.quetzal.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every problem the wiring checks can report has a row in {@link BrokenCopiesTest} that makes it
 * happen, or is on the visible {@link #NOT_YET_BROKEN} list.
 *
 * <p>How: {@link ProblemShapes} reads each {@code problem(...)} / {@code problems.add(...)} call of the
 * check sources as its literal fragments; a row's expected message covers the shape whose fragments it
 * contains in order, the most specific one when several fit (a message matches "…: port … is not a port
 * of the container" rather than a looser shape). A new check with no row fails here; so does an
 * allow-list entry whose shape gained a row (delete it) or no longer exists.
 */
class ProblemCoverageTest {

  /** The check sources {@link Wiring#check} runs. */
  static final List<String> SOURCES = List.of("Wiring.java", "PodEnv.java", "RateLimiting.java", "MetricsScraping.java",
      "ImagePolicy.java", "MemoryBudget.java", "Rollouts.java", "TopicPlan.java");

  /**
   * Shapes (as {@link ProblemShapes.Shape#text()}) with no row yet, each with why. This list may only
   * shrink.
   */
  static final Map<String, String> NOT_YET_BROKEN = notYetBroken();

  private static Map<String, String> notYetBroken() {
    Map<String, String> m = new LinkedHashMap<>();
    // A whole workload missing: every other check of it goes first, so the row would be a cascade.
    m.put("there is no kafka StatefulSet", "the other Kafka checks assume it; a row needs them to tolerate its absence");
    m.put("there is no kafka-topics Job", "as above, for the topic Job");
    m.put("there is no grafana Deployment", "as above, for Grafana");
    m.put("…: there is no prometheus Deployment, so the operations dashboard has no data", "as above, for Prometheus");
    m.put("…: … must be a StatefulSet: its state and instance id belong to a pod identity",
        "needs the streams-app rewritten as a Deployment, which the other checks reject first");
    // Not a manifest problem: the check's own reflection failing.
    m.put("…: cannot ask … for …: …", "only a config record without redisGroupId/mongoGroupId reaches it");
    // Not part of Wiring.check: ImagePolicy.checkProd, broken by ImagePolicyTest.
    m.put("…: … container … runs …, not from …", "the prod registry check, run and broken in ImagePolicyTest");
    return m;
  }

  static List<ProblemShapes.Shape> shapes() {
    Path dir = Repo.root().resolve("manifests/src/test/java/gt/quetzal/manifests");
    List<ProblemShapes.Shape> shapes = new ArrayList<>();
    SOURCES.forEach(f -> shapes.addAll(ProblemShapes.of(dir.resolve(f))));
    return shapes;
  }

  /** The shapes a message covers: the most specific of those it fits. */
  static List<ProblemShapes.Shape> covered(List<ProblemShapes.Shape> shapes, String message) {
    List<ProblemShapes.Shape> fits = shapes.stream().filter(s -> s.matches(message, false)).toList();
    int best = fits.stream().mapToInt(ProblemShapes.Shape::literalLength).max().orElse(-1);
    return fits.stream().filter(s -> s.literalLength() == best).toList();
  }

  @Test
  void everyProblemHasARowOrIsListedAsNotYetBroken() {
    List<ProblemShapes.Shape> shapes = shapes();
    assertThat(shapes).as("the scanner finds the checks").hasSizeGreaterThan(100);
    Set<String> covered = new TreeSet<>();
    BrokenCopiesTest.rows().flatMap(r -> r.reported().stream())
        .map(m -> Breaks.isPrefix(m) ? m.substring(0, m.length() - 1) : m)
        .forEach(m -> covered(shapes, m).forEach(s -> covered.add(s.where() + " " + s.text())));
    List<String> missing = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    for (ProblemShapes.Shape s : shapes) {
      boolean has = covered.contains(s.where() + " " + s.text());
      boolean listed = NOT_YET_BROKEN.containsKey(s.text());
      if (!has && !listed) {
        missing.add(s.where() + "  " + s.text());
      }
      if (has && listed) {
        stale.add(s.text() + " now has a row; remove it from NOT_YET_BROKEN");
      }
    }
    Set<String> texts = new TreeSet<>(shapes.stream().map(ProblemShapes.Shape::text).toList());
    NOT_YET_BROKEN.keySet().stream().filter(t -> !texts.contains(t)).forEach(t -> stale.add(t + " is no check any more"));
    System.out.println("problem shapes: " + shapes.size() + ", covered by rows: " + covered.size()
        + ", not yet broken: " + NOT_YET_BROKEN.size());
    assertThat(missing).as("problems with no row in BrokenCopiesTest").isEmpty();
    assertThat(stale).isEmpty();
  }

  // ---- the scanner itself can fail

  @Test
  void theScannerReadsShapesWhateverTheFormatting() {
    String java = """
        class X {
          void problem(String m) {}
          void a() {
            problem(where + ": no readiness probe"); // problem("commented out")
            problem(
                w
                    + ": heap "
                    + m.group()
                    + " is more than "   + "75% of " + limit);
            problems.add(r.name() + ": a \\"quoted\\" word (" + f(")") + ")");
            problem(p);
            /* problem("in a block comment") */
            String s = "problem(\\"in a string\\")";
          }
        }
        """;
    assertThat(ProblemShapes.of(java, "X.java")).extracting(ProblemShapes.Shape::text).containsExactly(
        "…: no readiness probe", "…: heap … is more than 75% of …", "…: a \"quoted\" word (…)");
  }

  @Test
  void aMessageCoversTheMostSpecificShape() {
    List<ProblemShapes.Shape> shapes = ProblemShapes.of("""
        problem(where + ": port " + p + " is not a port of the container");
        problem(where + ": gRPC port " + p + " is not a port of the container");
        problem(where + ": " + what + " is not a port of the container");
        """, "X.java");
    assertThat(covered(shapes, "broken: Deployment/x: gRPC port 9 is not a port of the container"))
        .extracting(ProblemShapes.Shape::text).containsExactly("…: gRPC port … is not a port of the container");
    assertThat(covered(shapes, "broken: Deployment/x: no probe handler")).isEmpty();
  }
}
