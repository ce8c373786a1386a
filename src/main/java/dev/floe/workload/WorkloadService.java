package dev.floe.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.catalog.CatalogHandle;
import dev.floe.catalog.CatalogRegistry;
import dev.floe.catalog.IcebergCommitter;
import dev.floe.catalog.LakeLookup;
import dev.floe.catalog.SaveOutcome;
import dev.floe.catalog.TableAccess;
import dev.floe.config.SandboxConfig;
import dev.floe.distributed.DispatchRun;
import dev.floe.distributed.Dispatcher;
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
import java.nio.file.Files;
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

  /** A backstop beyond the memory cgroup: multithreaded Polars reserves much address space. */
  private static final long ADDRESS_SPACE_SLACK = 4L << 30;

  private final CatalogRegistry catalogs;
  private final LakeLookup lookup;
  private final TableAccess access;
  private final WarmPool runners;
  private final SandboxConfig sandbox;
  private final IcebergCommitter committer;
  private final Placements placements;
  private final Dispatcher dispatcher;
  private final ObjectMapper json;

  public WorkloadService(
      CatalogRegistry catalogs,
      LakeLookup lookup,
      TableAccess access,
      WarmPool runners,
      SandboxConfig sandbox,
      IcebergCommitter committer,
      Placements placements,
      Dispatcher dispatcher,
      ObjectMapper json) {
    this.catalogs = catalogs;
    this.lookup = lookup;
    this.access = access;
    this.runners = runners;
    this.sandbox = sandbox;
    this.committer = committer;
    this.placements = placements;
    this.dispatcher = dispatcher;
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
    requireWritable(catalog, workload);
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
      RunBudget budget = budget(workload, maxThreads(workload));
      RunHandle handle =
          runner.handOver(
              job(
                  workload,
                  runId,
                  catalog,
                  granted,
                  files,
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
        // A key revoked while the sandbox ran: nothing is sent to (or paid for on) the engine.
        FloeException revoked = workload.caller().refusal();
        if (revoked != null) {
          throw new RunFailedException(revoked, exit.logs());
        }
        // Cancelled between the sandbox's end and now: the credentials are never handed out.
        if (control.cancelled()) {
          throw new RunFailedException(cancelled(runId), exit.logs());
        }
        dispatch =
            dispatcher.start(
                dispatchRequest(workload, runId, placement, output, tables),
                pipe != null,
                event -> progress(control, event));
        output = dispatch.result();
        awaitDispatch(dispatch, workload, runId, pipe, control, exit.logs());
        placement = placement.withQueryId(dispatch.queryId());
      }
      long executed = System.nanoTime();
      ArrowStreams.Summary summary = null;
      if (pipe == null && !workload.dryRun()) {
        summary = summarize(output);
        if (!summary.complete()) {
          // Exit 0 and a result that is not a whole stream: the run wrote the file itself.
          throw new RunFailedException(
              new FloeException(
                  ErrorCode.RESULT_WRONG_TYPE,
                  "The run's result file is not a complete Arrow stream; assign `result` a polars"
                      + " LazyFrame or DataFrame and leave the run's output files to Floe."),
              exit.logs());
        }
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
        try {
          // A grant removed, or the key revoked, while the run ran.
          requireWritable(catalog, workload);
          FloeException revoked = workload.caller().refusal();
          if (revoked != null) {
            throw revoked;
          }
          saved =
              committer.commit(
                  catalog,
                  destination.table(),
                  output,
                  destination.saveMode(),
                  destination.schemaMode());
        } catch (FloeException refused) {
          throw new RunFailedException(refused, exit.logs());
        }
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

  /** What the dispatcher gets: the plan the sandbox wrote (read here, bounded) and the grants. */
  private Dispatcher.Request dispatchRequest(
      Workload workload, String runId, Placement placement, Path planFile, RunAccess tables) {
    String plan;
    try {
      long size = Files.size(planFile);
      if (size > dispatcher.maxPlanBytes()) {
        throw new FloeException(
            ErrorCode.PLAN_NOT_DISTRIBUTABLE,
            "The run's plan is "
                + size
                + " bytes, above this server's limit of "
                + dispatcher.maxPlanBytes()
                + " (floe.distributed.max-plan-bytes; literal data in a plan counts); read that"
                + " data from a table instead, or run without distributed.");
      }
      plan = Files.readString(planFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the plan of run " + runId, e);
    }
    return new Dispatcher.Request(
        runId,
        workload.mode() == Mode.QUERY ? "query" : "script",
        placement,
        plan,
        tables.grantedTables(),
        (long) sandbox.maxResultFileMb() * 1024 * 1024);
  }

  /** Waits for the dispatch; a failed, cancelled or timed-out one throws why. */
  private void awaitDispatch(
      DispatchRun dispatch,
      Workload workload,
      String runId,
      ResultPipe pipe,
      RunControl control,
      String logs)
      throws InterruptedException {
    if (pipe != null) {
      pipe.created(dispatch.result());
    }
    control.attach(dispatch);
    RunnerExit exit;
    try {
      exit = dispatch.await();
    } finally {
      if (pipe != null) {
        pipe.writerGone();
      }
    }
    LOG.infof(
        "run %s: dispatched as query %s, exit=%d timedOut=%s in %d ms",
        runId, dispatch.queryId(), exit.exitCode(), exit.timedOut(), exit.elapsed().toMillis());
    if (control.cancelled() || exit.exitCode() == DispatchRun.EXIT_CANCELLED && !exit.timedOut()) {
      throw new RunFailedException(cancelled(runId), logs);
    }
    if (exit.timedOut()) {
      throw new RunFailedException(
          new FloeException(
              ErrorCode.TIMEOUT,
              "The distributed run did not finish within "
                  + dispatch.timeout().toSeconds()
                  + " s (floe.distributed.timeout) and was cancelled on the cluster; filter or"
                  + " aggregate earlier, or ask for a larger cluster (clusterSize)."),
          logs);
    }
    if (exit.exitCode() != 0 || (pipe == null && !RunFiles.isPlainFile(dispatch.result()))) {
      // The dispatcher is Floe's own code: without its error file, the failure is Floe's.
      FloeException reported =
          RunFailures.fromDispatcher(dispatch.errorFile(), workload.limits(), json);
      FloeException failure =
          reported != null
              ? reported
              : new FloeException(
                  ErrorCode.INTERNAL,
                  "The distributed dispatcher of run "
                      + runId
                      + " ended (exit "
                      + exit.exitCode()
                      + ") without saying why; retry, and report the run id if it happens"
                      + " again.");
      throw new RunFailedException(failure, logs);
    }
  }

  /** The dispatcher's progress, as lines of the run's log. */
  private static void progress(RunControl control, JsonNode event) {
    String line =
        switch (event.path("event").asText()) {
          case "submitted" ->
              "[floe] sent to the distributed engine as query "
                  + event.path("query_id").asText()
                  + "\n";
          case "finished" ->
              "[floe] the distributed query finished: " + event.path("rows").asLong() + " rows\n";
          default -> null;
        };
    if (line != null) {
      byte[] bytes = line.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      control.log().write(bytes, 0, bytes.length);
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
    requireWritable(catalog(workload), workload);
  }

  /** The catalog a workload names (none: the default), if its caller sees it. */
  private CatalogHandle catalog(Workload workload) {
    return catalogs.get(workload.catalog(), workload.caller().reach());
  }

  private static void requireWritable(CatalogHandle catalog, Workload workload) {
    Destination destination = workload.destination();
    if (destination == null
        || workload.caller().reach().writes(catalog.name(), destination.table())) {
      return;
    }
    String scope = catalog.name() + "." + destination.table().namespace();
    throw new FloeException(
        ErrorCode.FORBIDDEN,
        "You ("
            + workload.principal()
            + ") may not save into '"
            + catalog.name()
            + "."
            + destination.table()
            + "': no write grant covers it; ask an admin for one (floe grants add "
            + workload.principal()
            + " write "
            + scope
            + ").");
  }

  /** The failure a cancelled run reports. */
  public static FloeException cancelled(String runId) {
    return new FloeException(
        ErrorCode.RUN_CANCELLED,
        "Run " + runId + " was cancelled before it finished; nothing was saved. Run it again.");
  }

  private RunJob job(
      Workload workload,
      String runId,
      CatalogHandle catalog,
      Map<String, RunJob.Table> tables,
      RunnerFiles files,
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
            (long) sandbox.maxResultFileMb() * 1024 * 1024,
            RunJob.OPEN_FILES,
            addressSpaceBackstop ? 2 * memory + ADDRESS_SPACE_SLACK : memory);
    RunJob.Code code =
        new RunJob.Code(
            workload.mode() == Mode.QUERY ? "query" : "script",
            workload.source(),
            workload.params(),
            workload.dryRun(),
            // Streamed results are computed by Polars' streaming engine, so they start flowing
            // before the last batch exists, and so are profiled ones (only it tracks each plan
            // node); the rest use the in-memory engine (a collect()'s numbers).
            streamed || profiled(workload, distributed) ? "streaming" : "in-memory",
            distributed,
            profiled(workload, distributed));
    return RunJob.of(runId, code, tables, catalog.name(), paths, budget.cpus(), limits);
  }

  /** A profile is of the run's own computation: not of a dry run, nor of a distributed one. */
  private static boolean profiled(Workload workload, boolean distributed) {
    return workload.profile() && !workload.dryRun() && !distributed;
  }

  private static RunBudget budget(Workload workload, int threads) {
    return new RunBudget(
        workload.limits().runTime(), (long) workload.limits().memoryMb() * 1024 * 1024, threads);
  }

  private void discard(Runner runner) {
    runner.discard(sandbox.keepRunDirs());
  }

  private static ArrowStreams.Summary summarize(Path result) {
    try {
      return ArrowStreams.summarize(result);
    } catch (IOException e) {
      return new ArrowStreams.Summary(0, false);
    }
  }

  private int maxThreads(Workload workload) {
    int configured = sandbox.threadsPerRun();
    Integer asked = workload.compute().vcpus();
    return asked == null ? configured : Math.min(asked, configured);
  }

  private static void phase(String runId, RunControl control, RunPhase phase) {
    LOG.debugf("run %s: %s", runId, phase);
    control.trace().phase(phase);
  }
}
