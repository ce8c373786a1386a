package dev.floe.sandbox;

import java.io.IOException;
import java.nio.file.Path;

/** Named pipes, which Java cannot make by itself. */
public final class Fifo {
  private Fifo() {}

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
