package dev.floe.runs;

import dev.floe.workload.TableRead;
import dev.floe.workload.Workload;
import java.util.List;

/** What the audit trail hears of runs: how each ended, and what it read. */
@FunctionalInterface
public interface RunWatch {
  /** Hears nothing: for tests of the runs package alone. */
  RunWatch NONE = (end, workload, reads) -> {};

  /** A run left the queue and began (a run that never starts is only {@link #ended}). */
  default void started(RunRecord running, Workload workload) {}

  /** A run ended (succeeded, failed or cancelled), having read {@code reads}. */
  void ended(RunRecord end, Workload workload, List<TableRead> reads);
}
