package dev.floe.workload;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.catalog.CatalogHandle;
import dev.floe.catalog.CatalogRegistry;
import dev.floe.catalog.IcebergCommitter;
import dev.floe.catalog.LakeLookup;
import dev.floe.catalog.SaveOutcome;
import dev.floe.catalog.TableAccess;
import dev.floe.config.SandboxConfig;
import dev.floe.distributed.DispatchRun;
import dev.floe.distributed.Placement;
import dev.floe.distributed.Placements;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.results.ArrowStreams;
import dev.floe.sandbox.RunBudget;
import dev.floe.sandbox.RunFiles;
import dev.floe.sandbox.RunHandle;
import dev.floe.sandbox.RunJob;
import dev.floe.sandbox.Runner;
import dev.floe.sandbox.RunnerExit;
import dev.floe.sandbox.RunnerFiles;
import dev.floe.sandbox.WarmPool;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Runs one workload: resolve its tables, take a ready runner, grant it the tables, hand it the job,
 * classify how it ended, and commit a save through the trusted writer.
 */
@ApplicationScoped
public class WorkloadService {
  private static final Logger LOG = Logger.getLogger(WorkloadService.class);

  private final CatalogRegistry catalogs;
  private final LakeLookup lookup;
  private final TableAccess access;
  private final WarmPool runners;
  private final SandboxConfig sandbox;
  private final IcebergCommitter committer;
  private final SaveStep saves;
  private final Placements placements;
  private final RunJobs jobs;
  private final DistributedStep distributed;
  private final ObjectMapper json;

  public WorkloadService(
      CatalogRegistry catalogs,
      LakeLookup lookup,
      TableAccess access,
      WarmPool runners,
      SandboxConfig sandbox,
      IcebergCommitter committer,
      SaveStep saves,
      Placements placements,
      RunJobs jobs,
      DistributedStep distributed,
      ObjectMapper json) {
    this.catalogs = catalogs;
    this.lookup = lookup;
    this.access = access;
    this.runners = runners;
    this.sandbox = sandbox;
    this.committer = committer;
    this.saves = saves;
    this.placements = placements;
    this.jobs = jobs;
    this.distributed = distributed;
    this.json = json;
  }

  /**
   * Runs the workload to completion; the caller closes the returned run to free its result. With a
   * pipe in {@code control}, the result streams through it to a reader while the run goes.
   */
  public CompletedRun execute(Workload workload, String runId, RunControl control)
      throws InterruptedException {
    long started = System.nanoTime();
    phase(runId, control, RunPhase.PLAN);
    CatalogHandle catalog = catalog(workload);
    SaveStep.requireWritable(catalog, workload);
    RunAccess tables = new RunAccess(catalog, lookup, access, workload.caller(), control);
    Map<String, RunAccess.Resolved> bound = new LinkedHashMap<>();
    for (TableBinding binding : workload.tables()) {
      bound.put(binding.alias(), tables.resolve(binding.table(), binding.snapshotId(), null));
    }
    Compute asked = workload.compute();
    Placement placement =
        placements.place(
            asked.distribution(),
            asked.instanceType(),
            asked.clusterSize(),
            asked.vcpus(),
            () -> InputSize.of(bound.values()));
    // A distributed run's sandbox writes its plan, which the trusted dispatcher sends on.
    boolean dispatched = placement.distributed() && !workload.dryRun();

    phase(runId, control, RunPhase.SANDBOX_START);
    long waiting = System.nanoTime();
    WarmPool.Taken taken = runners.take();
    Runner runner = taken.runner();
    long preparing = System.nanoTime();
    boolean handedOff = false;
    DispatchRun dispatch = null;
    try {
      tables.attach(runner);
      Map<String, RunJob.Table> granted = new LinkedHashMap<>();
      bound.forEach((alias, resolved) -> granted.put(alias, tables.grant(resolved)));
      RunnerFiles files = runner.files();
      ResultPipe pipe = workload.dryRun() ? null : control.pipe();
      Path output =
          workload.dryRun() || dispatched
              ? files.planFile()
              : pipe != null ? files.resultPipe() : files.resultFile();
      RunBudget budget = jobs.budget(workload);
      RunHandle handle =
          runner.handOver(
              jobs.job(
                  workload,
                  runId,
                  catalog,
                  granted,
                  new RunJob.Output(files.seenByRun(output), files.seenByRun(files.errorFile())),
                  pipe != null,
                  dispatched,
                  budget,
                  runner.addressSpaceBackstop()),
              budget,
              control.log(),
              tables);
      if (pipe != null && !dispatched) {
        pipe.created(output);
      }
      long executing = System.nanoTime();
      phase(runId, control, RunPhase.EXECUTE);
      control.attach(handle);
      RunnerExit exit;
      try {
        exit = handle.await();
      } finally {
        if (pipe != null && !dispatched) {
          pipe.writerGone();
        }
      }
      LOG.infof(
          "run %s: %s runner %s (%s) exit=%d timedOut=%s in %d ms",
          runId,
          runner.kind(),
          runner.id(),
          taken.warm() ? "warm" : "cold",
          exit.exitCode(),
          exit.timedOut(),
          exit.elapsed().toMillis());
      if (control.cancelled()) {
        throw new RunFailedException(cancelled(runId), exit.logs());
      }
      boolean produced =
          !exit.timedOut()
              && exit.exitCode() == 0
              && ((pipe != null && !dispatched) || RunFiles.isPlainFile(output));
      if (!produced) {
        // Refused a table because its key was revoked meanwhile: the trusted side knows why.
        FloeException revoked = workload.caller().refusal();
        FloeException failure =
            revoked != null
                ? revoked
                : RunFailures.classify(exit, files.errorFile(), workload.limits(), json);
        throw new RunFailedException(failure, exit.logs());
      }
      if (dispatched) {
        dispatch =
            distributed.run(workload, runId, placement, output, tables, pipe, control, exit.logs());
        output = dispatch.result();
        placement = placement.withQueryId(dispatch.queryId());
      }
      long executed = System.nanoTime();
      ArrowStreams.Summary summary = null;
      if (pipe == null && !workload.dryRun()) {
        summary = RunFailures.wholeResult(output, exit.logs());
      }
      Destination destination = workload.destination();
      String plan =
          workload.dryRun()
              ? DryRunPlan.kept(
                  DryRunPlan.read(output), destination, catalog, committer, files.dir(), json)
              : null;
      SaveOutcome saved = null;
      if (destination != null && !workload.dryRun()) {
        if (!control.enterCommit()) {
          throw new RunFailedException(cancelled(runId), exit.logs());
        }
        phase(runId, control, RunPhase.COMMIT);
        saved = saves.commit(catalog, workload, output, exit.logs());
        LOG.infof("run %s: saved %s", runId, saved);
      }
      long done = System.nanoTime();
      handedOff = true;
      DispatchRun dispatchToDelete = dispatch;
      return new CompletedRun(
          runId,
          pipe == null && !workload.dryRun() ? output : null,
          summary == null ? null : summary.rows(),
          plan,
          exit.logs(),
          saved,
          Duration.ofNanos(done - started),
          new RunTimings(
              runner.kind(),
              runner.id(),
              taken.warm(),
              Duration.ofNanos(preparing - waiting),
              Duration.ofNanos(executing - preparing),
              Duration.ofNanos(executed - executing),
              Duration.ofNanos(done - executed)),
          placement,
          () -> {
            discard(runner);
            if (dispatchToDelete != null) {
              dispatchToDelete.delete();
            }
          });
    } catch (dev.floe.sandbox.RunnerBudgetException e) {
      throw RunFailures.outOfMemory(workload.limits());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot hand run " + runId + " to its runner", e);
    } finally {
      if (!handedOff) {
        discard(runner);
        if (dispatch != null) {
          dispatch.delete();
        }
      }
    }
  }

  /**
   * What can be refused before a run is accepted: a catalog outside the caller's reach, and a
   * destination it may not write. Tables it binds are checked when the run resolves them, so one it
   * may not read fails exactly as a missing one does.
   */
  public void admit(Workload workload) {
    Compute asked = workload.compute();
    placements.admit(
        asked.distribution(), asked.instanceType(), asked.clusterSize(), asked.vcpus());
    SaveStep.requireWritable(catalog(workload), workload);
  }

  /** The catalog a workload names (none: the default), if its caller sees it. */
  private CatalogHandle catalog(Workload workload) {
    return catalogs.get(workload.catalog(), workload.caller().reach());
  }

  /** The failure a cancelled run reports. */
  public static FloeException cancelled(String runId) {
    return new FloeException(
        ErrorCode.RUN_CANCELLED,
        "Run " + runId + " was cancelled before it finished; nothing was saved. Run it again.");
  }

  private void discard(Runner runner) {
    runner.discard(sandbox.keepRunDirs());
  }

  private static void phase(String runId, RunControl control, RunPhase phase) {
    LOG.debugf("run %s: %s", runId, phase);
    control.trace().phase(phase);
  }
}
