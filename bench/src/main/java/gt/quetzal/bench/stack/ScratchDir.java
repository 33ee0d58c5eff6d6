package gt.quetzal.bench.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A temp directory that closing deletes, with everything in it. */
public final class ScratchDir implements AutoCloseable {

  private final Path path;

  private ScratchDir(Path path) {
    this.path = path;
  }

  public static ScratchDir create(String prefix) {
    try {
      return new ScratchDir(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temp dir " + prefix + "*", e);
    }
  }

  public Path path() {
    return path;
  }

  public Path resolve(String child) {
    return path.resolve(child);
  }

  /** Best effort: what cannot be deleted stays in the temp dir, which is not worth failing a run for. */
  @Override
  public void close() {
    deleteRecursively(path);
  }

  public static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("cannot delete " + root + ": " + e);
    }
  }
}
