package dev.floe.distributed;

import dev.floe.sandbox.RunFiles;
import dev.floe.sandbox.RunHandle;
import dev.floe.sandbox.RunnerExit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One running dispatch. A cancel, or its time running out, sends SIGTERM: the dispatcher cancels
 * the remote query and exits; one that has not within {@link #GRACE} is killed.
 */
public final class DispatchRun implements RunHandle {
  /** How a dispatcher that cancelled its query exits. */
  public static final int EXIT_CANCELLED = 5;

  static final Duration GRACE = Duration.ofSeconds(15);

  private final Process process;
  private final Path dir;
  private final Path result;
  private final Path errorFile;
  private final Duration timeout;
  private final long started = System.nanoTime();
  private volatile boolean cancelled;
  private volatile String queryId;

  DispatchRun(Process process, Path dir, Path result, Path errorFile, Duration timeout) {
    this.process = process;
    this.dir = dir;
    this.result = result;
    this.errorFile = errorFile;
    this.timeout = timeout;
  }

  /** Where the result is written: a file, or the named pipe a streamed response reads. */
  public Path result() {
    return result;
  }

  public Path errorFile() {
    return errorFile;
  }

  /** The engine's id of the query, once submitted; else null. */
  public String queryId() {
    return queryId;
  }

  void submitted(String id) {
    queryId = id.isEmpty() ? null : id;
  }

  public Duration timeout() {
    return timeout;
  }

  @Override
  public RunnerExit await() throws InterruptedException {
    boolean timedOut = false;
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      timedOut = true;
      stop();
    }
    return new RunnerExit(
        process.exitValue(),
        timedOut,
        cancelled,
        "",
        false,
        Duration.ofNanos(System.nanoTime() - started),
        RunnerExit.LimitsHit.NONE);
  }

  @Override
  public void cancel() {
    cancelled = true;
    Thread stopper = new Thread(this::stop, "floe-dispatch-cancel-" + process.pid());
    stopper.setDaemon(true);
    stopper.start();
  }

  private void stop() {
    process.destroy(); // SIGTERM: the dispatcher cancels the remote query first
    try {
      if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Removes what the dispatch wrote (its result, once it is no longer read). A dispatcher still
   * running (its run was interrupted) is stopped as a cancel stops it, so its query is cancelled.
   */
  public void delete() {
    if (process.isAlive()) {
      stop();
    }
    RunFiles.deleteTree(dir);
  }
}
