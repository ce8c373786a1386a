package dev.floe.runs;

import dev.floe.catalog.SaveOutcome;
import dev.floe.error.FloeException;
import dev.floe.sandbox.BoundedLog;
import java.time.Instant;

/**
 * What the store knows of one run. Immutable; each change of state is a new record.
 *
 * @param destination the table a save goes to, or null
 * @param rowCount rows of the result, when known
 * @param error the failure, when the run failed or was cancelled
 * @param resultFile the kept Arrow result, or null when none is kept (or it expired)
 * @param plan a dry run's plan (the harness's JSON), or null
 */
public record RunRecord(
    String runId,
    RunStatus status,
    String mode,
    String catalog,
    String destination,
    String principal,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Long elapsedMs,
    Long rowCount,
    SaveOutcome saved,
    FloeException error,
    BoundedLog.Snapshot logs,
    String resultFile,
    Instant resultExpiresAt,
    String plan,
    int maxRows,
    long maxResultBytes) {

  /** A run just accepted: nothing about it is known yet but what was asked. */
  public static RunRecord queued(
      String runId,
      String mode,
      String catalog,
      String destination,
      String principal,
      Instant createdAt,
      int maxRows,
      long maxResultBytes) {
    return new RunRecord(
        runId,
        RunStatus.QUEUED,
        mode,
        catalog,
        destination,
        principal,
        createdAt,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        maxRows,
        maxResultBytes);
  }

  public RunRecord running(Instant at) {
    return new RunRecord(
        runId,
        RunStatus.RUNNING,
        mode,
        catalog,
        destination,
        principal,
        createdAt,
        at,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        maxRows,
        maxResultBytes);
  }

  /** The final record of a run that ended. */
  public RunRecord finished(
      RunStatus finalStatus,
      Instant at,
      Long elapsed,
      Long rows,
      SaveOutcome savedOutcome,
      FloeException failure,
      BoundedLog.Snapshot runLogs,
      String keptResult,
      Instant keptUntil,
      String dryRunPlan) {
    return new RunRecord(
        runId,
        finalStatus,
        mode,
        catalog,
        destination,
        principal,
        createdAt,
        startedAt,
        at,
        elapsed,
        rows,
        savedOutcome,
        failure,
        runLogs,
        keptResult,
        keptUntil,
        dryRunPlan,
        maxRows,
        maxResultBytes);
  }
}
