package dev.floe.runs;

import dev.floe.sandbox.BoundedLog;
import jakarta.inject.Singleton;
import java.util.Optional;

/** A run's output, live while it runs and from its record once it ended. */
@Singleton
public class RunLogs {
  private final ActiveRuns active;

  public RunLogs(ActiveRuns active) {
    this.active = active;
  }

  /** A slice of a run's logs and whether more can come. */
  public record LogsView(RunRecord run, BoundedLog.Slice slice, boolean complete) {}

  /** A run's output from byte {@code after} on. */
  public LogsView logs(String runId, long after) {
    Optional<ActiveRun> running = active.find(runId);
    if (running.isPresent()) {
      ActiveRun run = running.get();
      return new LogsView(run.record(), run.control().log().since(after), false);
    }
    RunRecord end = active.current(runId);
    BoundedLog.Snapshot log = end.logs() == null ? BoundedLog.Snapshot.EMPTY : end.logs();
    return new LogsView(end, log.since(after), end.status().isFinal());
  }
}
