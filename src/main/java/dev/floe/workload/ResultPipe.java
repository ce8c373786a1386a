package dev.floe.workload;

import dev.floe.sandbox.Fifo;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A named pipe between the sandbox and one HTTP response: the harness writes the Arrow stream, the
 * service reads it as it comes, so the result never lands on disk or in the heap whole, and a slow
 * client slows the writer down (the pipe's buffer is the only buffer).
 *
 * <p>Opening a FIFO for reading blocks until a writer opens it. A run that fails before its harness
 * opens the pipe would leave the reader blocked, so after the run ends the service opens the pipe
 * itself (read-write, which never blocks) until the reader is through its open.
 */
public final class ResultPipe {
  private static final int IDLE = 0;
  private static final int OPENING = 1;
  private static final int OPENED = 2;
  private static final int GAVE_UP = 3;

  private final CompletableFuture<Path> created = new CompletableFuture<>();
  private final AtomicInteger reader = new AtomicInteger(IDLE);
  private volatile boolean writerGone;

  void created(Path fifo) {
    created.complete(fifo);
  }

  /**
   * Opens the read end once the pipe exists. Returns null when the run ended without creating it or
   * before the reader came (its outcome says why).
   */
  public InputStream open(CompletableFuture<?> runEnded) throws InterruptedException, IOException {
    try {
      CompletableFuture.anyOf(created, runEnded).get();
    } catch (ExecutionException e) {
      // The run failed; whether it had created the pipe is what counts below.
    }
    Path fifo = created.getNow(null);
    if (fifo == null) {
      return null;
    }
    reader.set(OPENING);
    if (writerGone) {
      reader.set(GAVE_UP);
      return null;
    }
    FileInputStream in = new FileInputStream(fifo.toFile());
    reader.set(OPENED);
    return in;
  }

  /** The run ended: a reader still blocked in open() is released (it then reads end of file). */
  void writerGone() {
    writerGone = true;
    Path fifo = created.getNow(null);
    if (fifo == null) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (reader.get() == OPENING && System.nanoTime() < deadline) {
      if (!Fifo.release(fifo)) {
        return; // the pipe is gone, so nobody can be blocked on it
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
