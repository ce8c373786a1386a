package dev.floe.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the host reads of a run's files (row 13 of the security cases): only plain files, never
 * through a link; and deleting a run's directory never deletes what a link points to. A hard link
 * is a plain file by nature: the sandbox prevents it instead (the output directory is read-only and
 * a separate mount, so link() fails with EROFS or EXDEV — HostileWorkloadsTest checks that).
 */
class RunFilesTest {
  @TempDir Path dir;

  @Test
  void onlyRegularFilesAreRead() throws IOException, InterruptedException {
    Path host = Files.writeString(dir.resolve("host-secret"), "secret");
    Path run = Files.createDirectory(dir.resolve("run"));
    Path plain = Files.writeString(run.resolve("result.arrows"), "data");
    Path symlink = Files.createSymbolicLink(run.resolve("error.json"), host);
    Path dangling = Files.createSymbolicLink(run.resolve("gone"), dir.resolve("nothing"));
    Path directory = Files.createDirectory(run.resolve("sub"));
    Path dirLink = Files.createSymbolicLink(run.resolve("sub-link"), directory);
    Path fifo = run.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());

    assertTrue(RunFiles.isPlainFile(plain));
    assertFalse(RunFiles.isPlainFile(symlink), "a symlink to a host file");
    assertFalse(RunFiles.isPlainFile(dangling));
    assertFalse(RunFiles.isPlainFile(directory));
    assertFalse(RunFiles.isPlainFile(dirLink));
    assertFalse(RunFiles.isPlainFile(fifo), "a fifo would block the reader");
    assertFalse(RunFiles.isPlainFile(run.resolve("missing")));
  }

  @Test
  void deletingARunNeverFollowsItsLinks() throws IOException {
    Path outside = Files.createDirectory(dir.resolve("outside"));
    Path kept = Files.writeString(outside.resolve("keep.txt"), "keep");
    Path run = Files.createDirectory(dir.resolve("run"));
    Files.createSymbolicLink(run.resolve("to-dir"), outside);
    Files.createSymbolicLink(run.resolve("to-file"), kept);
    RunFiles.deleteTree(run);
    assertFalse(Files.exists(run));
    assertTrue(Files.exists(kept), "a file outside the run was deleted through a link");
  }
}
