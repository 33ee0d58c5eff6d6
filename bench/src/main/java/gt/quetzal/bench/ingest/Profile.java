package gt.quetzal.bench.ingest;

import gt.quetzal.bench.JfrFrames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * One JFR recording of a bench run ({@code BENCH_PROFILE_DIR}), and the shares of the CPU samples
 * ({@code jdk.ExecutionSample}) in each route's measured window that the bench prints: by thread
 * group, by the innermost project method on the stack (what the time was spent for: library frames
 * count towards the project method that called them), and by the method at the top of the stack.
 *
 * <p>The recording starts before the warm-up round and runs to the end, rather than one per window:
 * starting JFR instruments classes and throws away compiled code, and the JIT recompiling in the
 * measured window would be what the profile shows.
 */
final class Profile implements AutoCloseable {

  private static final String PROJECT = "gt.quetzal.";

  private final Recording recording;
  private final Path dir;

  private Profile(Recording recording, Path dir) {
    this.recording = recording;
    this.dir = dir;
  }

  /** Starts recording with the JDK's "profile" settings; files go to {@code dir}. */
  static Profile start(Path dir) throws IOException {
    Files.createDirectories(dir);
    Recording recording;
    try {
      recording = new Recording(Configuration.getConfiguration("profile"));
    } catch (ParseException e) {
      throw new IOException("the JDK's JFR profile settings do not parse", e);
    }
    recording.setName("quetzal-bench");
    recording.start();
    return new Profile(recording, dir);
  }

  /**
   * Writes the recording so far to {@code dir/route.jfr} and counts the samples taken from {@code
   * from} to {@code to}, the route's measured window.
   */
  Shares window(String route, Instant from, Instant to) throws IOException {
    Path file = dir.resolve(route + ".jfr");
    recording.dump(file);
    return shares(file, from, to);
  }

  @Override
  public void close() {
    recording.close();
  }

  /** Sample counts by key; {@code total} is every CPU sample of the recording. */
  record Shares(long total, Map<String, Long> byThreadGroup, Map<String, Long> byProjectMethod, Map<String, Long> byTopFrame) {

    /** The largest {@code limit} entries of {@code counts} as "share key" lines, largest first. */
    String top(Map<String, Long> counts, int limit) {
      return counts.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .limit(limit)
          .map(e -> String.format(Locale.ROOT, "    %5.1f%%  %s", 100.0 * e.getValue() / total, e.getKey()))
          .collect(Collectors.joining("\n"));
    }

    String report(int limit) {
      return "  by thread group:\n" + top(byThreadGroup, limit)
          + "\n  by innermost project method (library frames below it included):\n" + top(byProjectMethod, limit)
          + "\n  by top frame:\n" + top(byTopFrame, limit);
    }
  }

  /** The CPU samples of a recording taken from {@code from} to {@code to}, counted three ways. */
  static Shares shares(Path jfr, Instant from, Instant to) throws IOException {
    Map<String, Long> groups = new HashMap<>();
    Map<String, Long> project = new HashMap<>();
    Map<String, Long> top = new HashMap<>();
    long total = 0;
    try (RecordingFile in = new RecordingFile(jfr)) {
      while (in.hasMoreEvents()) {
        RecordedEvent event = in.readEvent();
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")
            || event.getStartTime().isBefore(from) || !event.getStartTime().isBefore(to)) {
          continue;
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        total++;
        RecordedThread thread = event.getThread("sampledThread");
        String group = thread == null || thread.getJavaName() == null ? "?" : threadGroup(thread.getJavaName());
        groups.merge(group, 1L, Long::sum);
        List<RecordedFrame> frames = stack.getFrames();
        top.merge(JfrFrames.name(frames.get(0)), 1L, Long::sum);
        project.merge(innermostProject(frames, group), 1L, Long::sum);
      }
    }
    return new Shares(total, groups, project, top);
  }

  /** Thread names with their numbers folded, as the bench's CPU report groups them. */
  static String threadGroup(String threadName) {
    return threadName.replaceAll("[0-9]+", "N");
  }

  /** The first project frame from the top; without one, the thread group and the top frame's package. */
  private static String innermostProject(List<RecordedFrame> frames, String group) {
    for (RecordedFrame frame : frames) {
      if (frame.getMethod().getType().getName().startsWith(PROJECT)) {
        return JfrFrames.name(frame);
      }
    }
    String type = frames.get(0).getMethod().getType().getName();
    int dot = type.lastIndexOf('.');
    return "(no project frame) " + group + ": " + (dot < 0 ? type : type.substring(0, dot));
  }
}
