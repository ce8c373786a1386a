package dev.floe.workload;

import dev.floe.catalog.SaveOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A run that succeeded: its result is an Arrow IPC stream in the run's directory until closed. */
public final class CompletedRun implements AutoCloseable {
  private final String runId;
  private final Path resultFile;
  private final String logs;
  private final SaveOutcome saved;
  private final Duration elapsed;
  private final Runnable cleanup;

  CompletedRun(
      String runId,
      Path resultFile,
      String logs,
      SaveOutcome saved,
      Duration elapsed,
      Runnable cleanup) {
    this.runId = runId;
    this.resultFile = resultFile;
    this.logs = logs;
    this.saved = saved;
    this.elapsed = elapsed;
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

  public long resultBytes() throws IOException {
    return Files.size(resultFile);
  }

  public InputStream openResult() throws IOException {
    return Files.newInputStream(resultFile);
  }

  @Override
  public void close() {
    cleanup.run();
  }
}
