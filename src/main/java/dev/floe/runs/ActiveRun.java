package dev.floe.runs;

import dev.floe.workload.RunControl;
import dev.floe.workload.RunTrace;
import java.util.concurrent.CompletableFuture;

/** One accepted run that has not ended: its record as it is now, its levers, its end. */
final class ActiveRun {
  private final Submission submission;
  private final RunControl control;
  private final CompletableFuture<RunRecord> done = new CompletableFuture<>();
  private volatile RunRecord record;
  private volatile Runnable task;

  /**
   * @param beforeCommit told with this run when its save is about to be committed
   */
  ActiveRun(
      RunRecord queued,
      Submission submission,
      int logBytes,
      java.util.function.Consumer<ActiveRun> beforeCommit,
      RunTrace trace) {
    this.record = queued;
    this.submission = submission;
    this.control =
        new RunControl(logBytes, submission.streamed(), () -> beforeCommit.accept(this), trace);
  }

  String runId() {
    return record.runId();
  }

  Submission submission() {
    return submission;
  }

  RunControl control() {
    return control;
  }

  /** Completes with the final record when the run ends (or exceptionally if it was refused). */
  CompletableFuture<RunRecord> done() {
    return done;
  }

  RunRecord record() {
    return record;
  }

  void record(RunRecord now) {
    record = now;
  }

  /** What the runner pool holds while the run waits, so a cancel can take it out of the queue. */
  Runnable task() {
    return task;
  }

  Runnable task(Runnable body) {
    task = body;
    return body;
  }
}
