package gt.quetzal.bench.streams;

import gt.quetzal.bench.JfrFrames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a streams app's stream threads spent their CPU samples, from the JFR recording the bench asks
 * the app's JVM for ({@code BENCH_PROFILE_DIR}): the share of {@code jdk.ExecutionSample}s of the
 * threads named {@code …-StreamThread-N} with a stage's method anywhere on the stack. Stages nest (a
 * record forwarded by check-vote is sunk inside it), so shares overlap and do not add up to 100%.
 * Native RocksDB time is not in those samples; it is counted from {@code jdk.NativeMethodSample}, as
 * are the GC pauses, which stop the stream thread too.
 */
final class StreamThreadProfile {

  private static final Pattern STREAM_THREAD = Pattern.compile("-StreamThread-\\d+$");

  /** Stage label → a pattern on "SimpleClassName.method" of any frame. */
  static final Map<String, Pattern> STAGES = stages();

  private StreamThreadProfile() {}

  private static Map<String, Pattern> stages() {
    Map<String, Pattern> stages = new LinkedHashMap<>();
    stages.put("processing records (StreamTask.process)", Pattern.compile("^StreamTask\\.process$"));
    stages.put("  check-vote (read, dedup, late; and all it forwards)", Pattern.compile("^CheckVoteProcessor\\.process$"));
    stages.put("    parse and validate (RawVoteReader)", Pattern.compile("^RawVoteReader\\.check$"));
    stages.put("    dedup (VoteIdMemory)", Pattern.compile("^VoteIdMemory\\.isCopy$"));
    stages.put("      its store put and changelog record", Pattern.compile("^MeteredWindowStore\\.put$"));
    stages.put("    every sink (votes.accepted/rejected, tally-deltas, tallies.*)", Pattern.compile("^SinkNode\\.process$"));
    stages.put("    combiner, per vote", Pattern.compile("^TallyCombiner\\.process$"));
    stages.put("  sum-tallies", Pattern.compile("^SumTallies\\.process$"));
    stages.put("combiner flush (punctuation)", Pattern.compile("^TallyCombiner\\.flush$"));
    stages.put("polling", Pattern.compile("^StreamThread\\.pollPhase$"));
    stages.put("committing", Pattern.compile("^TaskExecutor\\.commitOffsetsOrTransaction$|^TaskManager\\.commit"));
    return stages;
  }

  /** The report's lines, or why there is none. */
  static String report(Path jfr) throws IOException {
    long samples = 0;
    long nativeSamples = 0;
    long rocksDb = 0;
    long collections = 0;
    Duration pauses = Duration.ZERO;
    Map<String, Long> counts = new LinkedHashMap<>();
    STAGES.keySet().forEach(stage -> counts.put(stage, 0L));
    try (RecordingFile in = new RecordingFile(jfr)) {
      while (in.hasMoreEvents()) {
        RecordedEvent event = in.readEvent();
        String type = event.getEventType().getName();
        if (type.equals("jdk.GarbageCollection")) {
          collections++;
          pauses = pauses.plus(event.getDuration("sumOfPauses"));
          continue;
        }
        boolean execution = type.equals("jdk.ExecutionSample");
        if (!execution && !type.equals("jdk.NativeMethodSample")) {
          continue;
        }
        RecordedThread thread = event.getThread("sampledThread");
        RecordedStackTrace stack = event.getStackTrace();
        if (thread == null || thread.getJavaName() == null || stack == null || stack.getFrames().isEmpty()
            || !STREAM_THREAD.matcher(thread.getJavaName()).find()) {
          continue;
        }
        List<RecordedFrame> frames = stack.getFrames();
        if (!execution) {
          nativeSamples++;
          if (frames.get(0).getMethod().getType().getName().startsWith("org.rocksdb.")) {
            rocksDb++;
          }
          continue;
        }
        samples++;
        for (Map.Entry<String, Pattern> stage : STAGES.entrySet()) {
          for (RecordedFrame frame : frames) {
            if (stage.getValue().matcher(JfrFrames.name(frame)).find()) {
              counts.merge(stage.getKey(), 1L, Long::sum);
              break;
            }
          }
        }
      }
    }
    if (samples == 0) {
      return "  profile: no stream-thread samples in " + jfr;
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "  profile of the stream threads (%s): %,d CPU samples%n", jfr, samples));
    for (Map.Entry<String, Long> stage : counts.entrySet()) {
      out.append(String.format(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * stage.getValue() / samples, stage.getKey()));
    }
    out.append(String.format(Locale.ROOT,
        "    native samples: %,d, of which in RocksDB %,d; GC: %,d collections, %.2f s of pauses%n",
        nativeSamples, rocksDb, collections, pauses.toNanos() / 1e9));
    return out.toString();
  }
}
