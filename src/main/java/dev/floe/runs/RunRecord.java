package dev.floe.runs;

import dev.floe.catalog.SaveOutcome;
import dev.floe.distributed.Placement;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.BoundedLog;
import dev.floe.workload.RunTimings;
import dev.floe.workload.Workload;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the store knows of one run: what was asked, when it started, and how it ended. Immutable;
 * each change of state is a new record.
 *
 * @param startedAt null while queued (and for a run cancelled in the queue)
 * @param commitStarted its save began to be committed, so whether it landed is not known from a
 *     failure alone
 * @param ending null until the run ended
 */
public record RunRecord(
    String runId,
    RunStatus status,
    Asked asked,
    Instant startedAt,
    boolean commitStarted,
    Ending ending) {

  /** The failures of Floe itself, after which a keyed retry runs the workload again. */
  private static final Set<ErrorCode> FLOE_FAILURES =
      Set.of(ErrorCode.INTERNAL, ErrorCode.SANDBOX_UNAVAILABLE);

  /**
   * What the client asked for, as far as the record needs it.
   *
   * @param destination the table a save goes to, or null
   * @param traceId the W3C trace id of the run's trace (its spans, and the request that asked)
   */
  public record Asked(
      String mode,
      String catalog,
      String destination,
      String principal,
      Instant createdAt,
      int maxRows,
      long maxResultBytes,
      String traceId,
      Request request) {

    public static Asked of(Workload workload, Instant at, String traceId) {
      return new Asked(
          workload.mode().name().toLowerCase(Locale.ROOT),
          workload.catalog(),
          workload.destination() == null ? null : workload.destination().table().toString(),
          workload.principal(),
          at,
          workload.limits().maxRows(),
          workload.limits().maxResultBytes(),
          traceId,
          Request.of(workload));
    }
  }

  /**
   * What the run was asked to run, as its run page shows it: the query or script, the bindings
   * ({@code alias=namespace.table}, with {@code @snapshot} when pinned), the params. Null in
   * records from before it was kept.
   */
  public record Request(String source, List<String> tables, Map<String, Object> params) {
    static Request of(Workload workload) {
      return new Request(
          workload.source(),
          workload.tables().stream()
              .map(
                  t ->
                      t.alias()
                          + "="
                          + t.table()
                          + (t.snapshotId() == null ? "" : "@" + t.snapshotId()))
              .toList(),
          workload.params());
    }
  }

  /**
   * How a run ended: its output when it succeeded, its error when it failed or was cancelled.
   *
   * @param elapsedMs null for a run that never started
   * @param logs null when nothing was captured (a run that never started, or a restart)
   */
  public record Ending(
      Instant at, Long elapsedMs, BoundedLog.Snapshot logs, FloeException error, Output output) {}

  /**
   * What a successful run produced.
   *
   * @param rowCount rows of the result, when known (not for a streamed result or a dry run)
   * @param saved what it saved, or null when it had no destination
   * @param plan a dry run's plan (the harness's JSON), or null
   * @param resultFile the kept Arrow result, or null when none is kept (or it expired)
   * @param resultExpiresAt when the kept result is removed
   * @param timings where the run's time went and how it got its runner, when known
   * @param compute where it executed (locally or distributed) and why, when known
   * @param profile a profiled run's nodes with their time and rows (JSON, as the run reported it),
   *     or null
   */
  public record Output(
      Long rowCount,
      SaveOutcome saved,
      String plan,
      String resultFile,
      Instant resultExpiresAt,
      RunTimings timings,
      Placement compute,
      String profile) {

    public Output(
        Long rowCount, SaveOutcome saved, String plan, String resultFile, Instant resultExpiresAt) {
      this(rowCount, saved, plan, resultFile, resultExpiresAt, null, null, null);
    }
  }

  /** A run just accepted: nothing about it is known yet but what was asked. */
  public static RunRecord queued(String runId, Asked asked) {
    return new RunRecord(runId, RunStatus.QUEUED, asked, null, false, null);
  }

  public RunRecord running(Instant at) {
    return new RunRecord(runId, RunStatus.RUNNING, asked, at, false, null);
  }

  /** Its save is being committed. */
  public RunRecord committing() {
    return new RunRecord(runId, status, asked, startedAt, true, ending);
  }

  public RunRecord succeeded(Instant at, long elapsed, BoundedLog.Snapshot logs, Output output) {
    return new RunRecord(
        runId,
        RunStatus.SUCCEEDED,
        asked,
        startedAt,
        commitStarted,
        new Ending(at, elapsed, logs, null, output));
  }

  /** The run failed with {@code error}; it reads cancelled when the error is a cancel. */
  public RunRecord failed(Instant at, Long elapsed, FloeException error, BoundedLog.Snapshot logs) {
    RunStatus end =
        error.code() == ErrorCode.RUN_CANCELLED ? RunStatus.CANCELLED : RunStatus.FAILED;
    return new RunRecord(
        runId, end, asked, startedAt, commitStarted, new Ending(at, elapsed, logs, error, null));
  }

  /**
   * It ended without saving anything because Floe itself failed (a restart, a crash, a bug): a
   * retry with the same Idempotency-Key may run it again. A failure of the workload (its script,
   * its time limit, a schema mismatch, a cancel) is its answer, and a commit that began may have
   * landed: those are never run again under the same key.
   */
  public boolean failedInsideFloe() {
    return status == RunStatus.FAILED
        && !commitStarted
        && ending != null
        && ending.error() != null
        && FLOE_FAILURES.contains(ending.error().code());
  }

  public String mode() {
    return asked.mode();
  }

  /** The catalog asked for; null for the default. */
  public String catalog() {
    return asked.catalog();
  }

  public String destination() {
    return asked.destination();
  }

  public String principal() {
    return asked.principal();
  }

  public Instant createdAt() {
    return asked.createdAt();
  }

  public int maxRows() {
    return asked.maxRows();
  }

  public long maxResultBytes() {
    return asked.maxResultBytes();
  }

  public Instant finishedAt() {
    return ending == null ? null : ending.at();
  }

  public Long elapsedMs() {
    return ending == null ? null : ending.elapsedMs();
  }

  public BoundedLog.Snapshot logs() {
    return ending == null ? null : ending.logs();
  }

  /** The failure, when the run failed or was cancelled. */
  public FloeException error() {
    return ending == null ? null : ending.error();
  }

  private Output output() {
    return ending == null ? null : ending.output();
  }

  public Long rowCount() {
    return output() == null ? null : output().rowCount();
  }

  public SaveOutcome saved() {
    return output() == null ? null : output().saved();
  }

  public String plan() {
    return output() == null ? null : output().plan();
  }

  /** A profiled run's profile (JSON), or null. */
  public String profile() {
    return output() == null ? null : output().profile();
  }

  public String resultFile() {
    return output() == null ? null : output().resultFile();
  }

  public Instant resultExpiresAt() {
    return output() == null ? null : output().resultExpiresAt();
  }

  public RunTimings timings() {
    return output() == null ? null : output().timings();
  }

  /** Where a successful run executed and why; null when not known (or it did not succeed). */
  public Placement compute() {
    return output() == null ? null : output().compute();
  }
}
