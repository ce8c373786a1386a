package dev.floe.sandbox;

import java.io.IOException;
import java.nio.file.Path;

/** Named pipes, which Java cannot make by itself. */
public final class Fifo {
  private Fifo() {}

  /**
   * Opens the pipe read-write and closes it again, which never blocks: an open waiting on either
   * end completes (a reader then reads its end, a writer's next write fails). False when the pipe
   * is gone, so nobody can be waiting on it.
   */
  public static boolean release(Path path) {
    try (java.io.RandomAccessFile both = new java.io.RandomAccessFile(path.toFile(), "rw")) {
      return true;
    } catch (IOException gone) {
      return false;
    }
  }

  public static void create(Path path, String mode) throws IOException {
    Process mkfifo =
        new ProcessBuilder("mkfifo", "-m", mode, path.toString()).redirectErrorStream(true).start();
    try {
      String said = new String(mkfifo.getInputStream().readAllBytes()).strip();
      if (mkfifo.waitFor() != 0) {
        throw new IOException("mkfifo " + path + " failed: " + said);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while creating the pipe " + path, e);
    }
  }
}
