package dev.floe.workload;

import dev.floe.catalog.CatalogHandle;
import dev.floe.config.SandboxConfig;
import dev.floe.sandbox.RunBudget;
import dev.floe.sandbox.RunJob;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/** Turns a workload into what its runner gets: its budget and the job handed over. */
@ApplicationScoped
public class RunJobs {
  /** A backstop beyond the memory cgroup: multithreaded Polars reserves much address space. */
  private static final long ADDRESS_SPACE_SLACK = 4L << 30;

  private final SandboxConfig sandbox;

  public RunJobs(SandboxConfig sandbox) {
    this.sandbox = sandbox;
  }

  /** The run's time, memory and threads: the workload's limits, its vCPUs up to the server's. */
  RunBudget budget(Workload workload) {
    int configured = sandbox.threadsPerRun();
    Integer asked = workload.compute().vcpus();
    int threads = asked == null ? configured : Math.min(asked, configured);
    return new RunBudget(
        workload.limits().runTime(), (long) workload.limits().memoryMb() * 1024 * 1024, threads);
  }

  /** The largest result file a run may write, in bytes. */
  long maxResultBytes() {
    return (long) sandbox.maxResultFileMb() * 1024 * 1024;
  }

  /**
   * The job handed over.
   *
   * @param streamed the result streams through a pipe to its reader
   * @param distributed the run writes its plan, which the trusted dispatcher sends on
   */
  RunJob job(
      Workload workload,
      String runId,
      CatalogHandle catalog,
      Map<String, RunJob.Table> tables,
      RunJob.Output paths,
      boolean streamed,
      boolean distributed,
      RunBudget budget,
      boolean addressSpaceBackstop) {
    long memory = budget.memoryBytes();
    RunJob.Limits limits =
        new RunJob.Limits(
            Math.max(1, budget.timeout().toSeconds()),
            memory,
            maxResultBytes(),
            RunJob.OPEN_FILES,
            addressSpaceBackstop ? 2 * memory + ADDRESS_SPACE_SLACK : memory);
    boolean profiled = profiled(workload, distributed);
    RunJob.Code code =
        new RunJob.Code(
            workload.mode() == Mode.QUERY ? "query" : "script",
            workload.source(),
            workload.params(),
            workload.dryRun(),
            // Streamed results are computed by Polars' streaming engine, so they start flowing
            // before the last batch exists, and so are profiled ones (only it tracks each plan
            // node); the rest use the in-memory engine (a collect()'s numbers).
            streamed || profiled ? "streaming" : "in-memory",
            distributed,
            profiled);
    return RunJob.of(runId, code, tables, catalog.name(), paths, budget.cpus(), limits);
  }

  /** A profile is of the run's own computation: not of a dry run, nor of a distributed one. */
  private static boolean profiled(Workload workload, boolean distributed) {
    return workload.profile() && !workload.dryRun() && !distributed;
  }
}
