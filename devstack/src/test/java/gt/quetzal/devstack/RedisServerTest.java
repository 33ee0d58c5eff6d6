package gt.quetzal.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisServerTest {

  @TempDir Path dir;

  @Test
  void findsTheFirstExecutableRedisServerOnPath() throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    Path notExecutable = Files.createDirectory(dir.resolve("plain"));
    Files.writeString(notExecutable.resolve("redis-server"), "");
    Path first = executableIn(Files.createDirectory(dir.resolve("first")));
    executableIn(Files.createDirectory(dir.resolve("second")));

    String path = String.join(File.pathSeparator,
        empty.toString(), notExecutable.toString(), "", first.getParent().toString(),
        dir.resolve("second").toString());

    assertThat(RedisServer.findOnPath(path)).contains(first);
  }

  @Test
  void nothingOnPathMeansTheEmbeddedBinary() {
    assertThat(RedisServer.findOnPath(dir.toString())).isEmpty();
    assertThat(RedisServer.findOnPath("")).isEmpty();
    assertThat(RedisServer.findOnPath(null)).isEmpty();
  }

  private static Path executableIn(Path directory) throws Exception {
    Path binary = directory.resolve("redis-server");
    Files.writeString(binary, "#!/bin/sh\n");
    Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
    return binary;
  }
}
