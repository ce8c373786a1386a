package dev.floe.runs;

import dev.floe.catalog.SaveOutcome;
import dev.floe.distributed.Placement;
import dev.floe.workload.RunControl;
import dev.floe.workload.RunTimings;
import dev.floe.workload.Workload;
import java.nio.file.Path;
import java.time.Duration;

/** Runs one workload to its end: the seam between a run's lifecycle and how it is executed. */
@FunctionalInterface
public interface RunExecutor {
  /**
   * Executes the workload; a failure of the run is a {@link dev.floe.error.FloeException}.
   *
   * @param keep where to keep the result file, if it has one
   */
  Executed execute(Workload workload, String runId, RunControl control, Path keep)
      throws InterruptedException;

  /**
   * A run that succeeded.
   *
   * @param rowCount rows of the result, or null when it streamed through a pipe (or was a dry run)
   * @param saved what it saved, or null when it had no destination
   * @param plan the dry run's plan as the harness's JSON, or null
   * @param kept the kept result file, or null when none was kept
   * @param timings where the time went, or null
   * @param compute where it executed (locally or distributed) and why, or null
   */
  record Executed(
      Duration elapsed,
      Long rowCount,
      SaveOutcome saved,
      String plan,
      Path kept,
      RunTimings timings,
      Placement compute) {

    public Executed(Duration elapsed, Long rowCount, SaveOutcome saved, String plan, Path kept) {
      this(elapsed, rowCount, saved, plan, kept, null, null);
    }
  }
}
