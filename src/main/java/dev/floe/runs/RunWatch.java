package dev.floe.runs;

import dev.floe.error.FloeException;
import dev.floe.workload.Caller;
import dev.floe.workload.TableRead;
import dev.floe.workload.Workload;
import java.util.List;

/**
 * What authentication and the audit trail hear of runs: whether a run's caller may still run when
 * its turn comes, and how each run ended.
 */
public interface RunWatch {
  /** Lets every run start and hears nothing: for tests of the runs package alone. */
  RunWatch NONE =
      new RunWatch() {
        @Override
        public FloeException refusal(Caller caller) {
          return null;
        }

        @Override
        public void ended(RunRecord end, Workload workload, List<TableRead> reads) {}
      };

  /**
   * Null while {@code caller} may still run; else the failure its run ends with before it starts
   * (its key was revoked, or expired, while the run waited).
   */
  FloeException refusal(Caller caller);

  /** A run ended (succeeded, failed or cancelled), having read {@code reads}. */
  void ended(RunRecord end, Workload workload, List<TableRead> reads);
}
