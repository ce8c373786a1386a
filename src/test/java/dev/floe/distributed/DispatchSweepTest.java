package dev.floe.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a crash mid-dispatch leaves behind is removed at the next start. */
class DispatchSweepTest {

  @Test
  void staleDispatchDirectoriesAreRemovedAndTheRestOfTheHomeIsLeftAlone(@TempDir Path home)
      throws IOException {
    Path stale = home.resolve("dispatch/r-1-abc/home");
    Files.createDirectories(stale);
    Files.writeString(stale.resolve("token"), "cached");
    Files.writeString(home.resolve("dispatch/r-2-def.arrows"), "partial");
    Files.writeString(home.resolve("admin.key"), "kept");

    Dispatcher.sweep(home);

    try (Stream<Path> left = Files.list(home.resolve("dispatch"))) {
      assertEquals(0, left.count());
    }
    assertTrue(Files.exists(home.resolve("admin.key")));
  }

  @Test
  void aHomeWithoutDispatchesIsFine(@TempDir Path home) {
    Dispatcher.sweep(home);
    assertTrue(Files.notExists(home.resolve("dispatch")));
  }
}
