package dev.floe.workload;

import dev.floe.sandbox.BoundedLog;
import dev.floe.sandbox.RunHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The levers on one run from outside it: cancel, watch its logs, read its streamed result. A cancel
 * is honoured until the trusted commit begins; from then on the run finishes (a save is atomic).
 */
public final class RunControl {
  /** Where a run stands, as far as cancelling is concerned. */
  public enum Stage {
    WAITING,
    RUNNING,
    COMMITTING,
    DONE
  }

  /** What a cancel request found. */
  public enum CancelOutcome {
    CANCELLED,
    ALREADY_COMMITTING,
    ALREADY_DONE
  }

  private final BoundedLog log;
  private final ResultPipe pipe;
  private final Runnable beforeCommit;
  private Stage stage = Stage.WAITING;
  private boolean cancelled;
  private RunHandle handle;
  private final List<TableRead> reads = new ArrayList<>();
  private final RunTrace trace;
  private String profile;

  public RunControl(int logBytes, boolean streamed) {
    this(logBytes, streamed, () -> {});
  }

  /**
   * @param beforeCommit told when the save is about to be committed (so the run store can record
   *     that its outcome is no longer certain); an exception from it stops the commit
   */
  public RunControl(int logBytes, boolean streamed, Runnable beforeCommit) {
    this(logBytes, streamed, beforeCommit, RunTrace.none());
  }

  /**
   * @param trace the run's trace, begun when it was accepted
   */
  public RunControl(int logBytes, boolean streamed, Runnable beforeCommit, RunTrace trace) {
    this.trace = trace;
    this.log = new BoundedLog(logBytes);
    this.pipe = streamed ? new ResultPipe() : null;
    this.beforeCommit = beforeCommit;
  }

  /** The run's trace: its span and its phases' spans. */
  public RunTrace trace() {
    return trace;
  }

  public BoundedLog log() {
    return log;
  }

  /** The pipe the result streams through, or null when the result is written to a file. */
  public ResultPipe pipe() {
    return pipe;
  }

  public synchronized boolean cancelled() {
    return cancelled;
  }

  public synchronized CancelOutcome cancel() {
    if (stage == Stage.DONE) {
      return CancelOutcome.ALREADY_DONE;
    }
    if (stage == Stage.COMMITTING) {
      return CancelOutcome.ALREADY_COMMITTING;
    }
    cancelled = true;
    if (handle != null) {
      handle.cancel();
    }
    return CancelOutcome.CANCELLED;
  }

  /** The sandbox started; a cancel from now on kills it. False if the run was cancelled already. */
  synchronized boolean attach(RunHandle started) {
    handle = started;
    stage = Stage.RUNNING;
    if (cancelled) {
      started.cancel();
      return false;
    }
    return true;
  }

  /** The save is about to be committed; false (and nothing committed) if the run was cancelled. */
  synchronized boolean enterCommit() {
    if (cancelled) {
      return false;
    }
    beforeCommit.run();
    stage = Stage.COMMITTING;
    return true;
  }

  /** The run was given {@code table} to read. */
  synchronized void read(TableRead table) {
    reads.add(table);
  }

  /** The profile the run reported (its own account, like its logs): kept as JSON, bounded. */
  synchronized void profile(String json) {
    profile = json;
  }

  /** The profile the run reported, or null. */
  public synchronized String profile() {
    return profile;
  }

  /** The tables the run was given so far, in order. */
  public synchronized List<TableRead> reads() {
    return List.copyOf(reads);
  }

  public synchronized void done() {
    stage = Stage.DONE;
  }
}
