package dev.floe.testing;

import dev.floe.sandbox.RunBudget;
import dev.floe.sandbox.RunJob;
import dev.floe.sandbox.RunnerFiles;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** Jobs handed to a runner directly, as the workload service would (for runner-level tests). */
public final class Jobs {
  private Jobs() {}

  /** A script job with no table, one thread and a 1 GiB, 60 s budget. */
  public static RunJob script(RunnerFiles files, String source, Map<String, Object> params) {
    return RunJob.of(
        "r-test-" + UUID.randomUUID(),
        new RunJob.Code("script", source, params, false, "in-memory", false, false),
        Map.of(),
        "lake",
        new RunJob.Output(files.seenByRun(files.resultFile()), files.seenByRun(files.errorFile())),
        1,
        new RunJob.Limits(60, 1L << 30, 64L << 20, RunJob.OPEN_FILES, 6L << 30));
  }

  /** The budget of {@link #script}'s jobs. */
  public static RunBudget budget() {
    return new RunBudget(Duration.ofSeconds(60), 1L << 30, 1);
  }
}
