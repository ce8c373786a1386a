package dev.floe.runs;

import dev.floe.workload.CompletedRun;
import dev.floe.workload.RunControl;
import dev.floe.workload.Workload;
import dev.floe.workload.WorkloadService;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Executes runs through the workload use case (plan, sandbox, commit) and keeps their result. */
@Singleton
public class SandboxRunExecutor implements RunExecutor {
  private static final Logger LOG = Logger.getLogger(SandboxRunExecutor.class);

  private final WorkloadService workloads;

  public SandboxRunExecutor(WorkloadService workloads) {
    this.workloads = workloads;
  }

  @Override
  public Executed execute(Workload workload, String runId, RunControl control, Path keep)
      throws InterruptedException {
    try (CompletedRun done = workloads.execute(workload, runId, control)) {
      Path kept = null;
      if (done.hasResultFile()) {
        try {
          done.moveResultTo(keep);
          kept = keep;
        } catch (RuntimeException e) {
          if (done.saved() == null) {
            throw e;
          }
          // The save landed: the run succeeded, only its kept copy of the rows is lost.
          LOG.warnf(e, "run %s: saved, but its result could not be kept", runId);
        }
      }
      return new Executed(
          done.elapsed(),
          done.rowCount(),
          done.saved(),
          done.plan(),
          kept,
          done.timings(),
          done.placement());
    }
  }
}
