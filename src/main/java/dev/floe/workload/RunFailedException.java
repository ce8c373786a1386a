package dev.floe.workload;

import dev.floe.error.FloeException;

/** A run that failed after it started: the failure plus the logs the run printed. */
public class RunFailedException extends FloeException {
  private final String logs;

  public RunFailedException(FloeException failure, String logs) {
    super(failure.code(), failure.getMessage(), failure.details(), failure.diagnostics());
    this.logs = logs;
  }

  public String logs() {
    return logs;
  }
}
