package dev.floe.workload;

import dev.floe.catalog.SaveOutcome;
import dev.floe.distributed.Placement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * A run that succeeded. Its result is an Arrow IPC stream in the run's directory until closed
 * (unless it streamed through a pipe, or was a dry run with a plan instead).
 */
public final class CompletedRun implements AutoCloseable {
  private final String runId;
  private final Path resultFile;
  private final Long rowCount;
  private final String plan;
  private final String logs;
  private final SaveOutcome saved;
  private final Duration elapsed;
  private final RunTimings timings;
  private final Placement placement;
  private final Runnable cleanup;

  CompletedRun(
      String runId,
      Path resultFile,
      Long rowCount,
      String plan,
      String logs,
      SaveOutcome saved,
      Duration elapsed,
      RunTimings timings,
      Placement placement,
      Runnable cleanup) {
    this.runId = runId;
    this.resultFile = resultFile;
    this.rowCount = rowCount;
    this.plan = plan;
    this.logs = logs;
    this.saved = saved;
    this.elapsed = elapsed;
    this.timings = timings;
    this.placement = placement;
    this.cleanup = cleanup;
  }

  public String runId() {
    return runId;
  }

  public String logs() {
    return logs;
  }

  /** What the run saved, or null when it had no destination. */
  public SaveOutcome saved() {
    return saved;
  }

  public Duration elapsed() {
    return elapsed;
  }

  /** Where the run's time went, and whether its runner was warm. */
  public RunTimings timings() {
    return timings;
  }

  /** Where the run executed (locally or distributed) and why. */
  public Placement placement() {
    return placement;
  }

  /** Rows of the result, or null when it streamed through a pipe (or was a dry run). */
  public Long rowCount() {
    return rowCount;
  }

  /** The dry run's plan as the harness's JSON, or null. */
  public String plan() {
    return plan;
  }

  public boolean hasResultFile() {
    return resultFile != null;
  }

  /** Moves the result out of the run's directory (same file system: a rename) to keep it. */
  public void moveResultTo(Path target) {
    try {
      Files.createDirectories(target.getParent());
      Files.move(resultFile, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot keep the result of run " + runId, e);
    }
  }

  @Override
  public void close() {
    cleanup.run();
  }
}
