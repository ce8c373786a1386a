package dev.floe.workload;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.catalog.CatalogHandle;
import dev.floe.catalog.CatalogRegistry;
import dev.floe.catalog.IcebergCommitter;
import dev.floe.catalog.LakeLookup;
import dev.floe.catalog.SaveOutcome;
import dev.floe.config.FloeConfig;
import dev.floe.config.SandboxConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.results.ArrowStreams;
import dev.floe.sandbox.ProcessResult;
import dev.floe.sandbox.RunFiles;
import dev.floe.sandbox.RunHandle;
import dev.floe.sandbox.RunSpec;
import dev.floe.sandbox.Runner;
import dev.floe.sandbox.RunnerProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.Table;
import org.jboss.logging.Logger;

/** Runs one workload: plan against the catalog, run the harness in the sandbox, classify. */
@ApplicationScoped
public class WorkloadService {
  private static final Logger LOG = Logger.getLogger(WorkloadService.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_PLAN_BYTES = 4L << 20;

  private final CatalogRegistry catalogs;
  private final LakeLookup lookup;
  private final RunnerProvider runners;
  private final SandboxConfig sandbox;
  private final IcebergCommitter committer;
  private final Path runsDir;

  public WorkloadService(
      CatalogRegistry catalogs,
      LakeLookup lookup,
      RunnerProvider runners,
      SandboxConfig sandbox,
      IcebergCommitter committer,
      FloeConfig floe) {
    this.catalogs = catalogs;
    this.lookup = lookup;
    this.runners = runners;
    this.sandbox = sandbox;
    this.committer = committer;
    this.runsDir = floe.homePath().resolve("runs");
  }

  /**
   * Runs the workload to completion; the caller closes the returned run to free its result. With a
   * pipe in {@code control}, the result streams through it to a reader while the run goes.
   */
  public CompletedRun execute(Workload workload, String runId, RunControl control)
      throws InterruptedException {
    long started = System.nanoTime();
    phase(runId, RunPhase.PLAN);
    if (workload.compute().distributed()) {
      throw new FloeException(
          ErrorCode.DISTRIBUTED_UNAVAILABLE,
          "Cannot run distributed: Polars Cloud is not configured on this server; remove"
              + " distributed to run locally.");
    }
    CatalogHandle catalog = catalogs.get(workload.catalog());
    for (TableBinding binding : workload.tables()) {
      Table table = lookup.load(catalog, binding.table());
      if (binding.snapshotId() != null && table.snapshot(binding.snapshotId()) == null) {
        throw new FloeException(
            ErrorCode.TABLE_NOT_FOUND,
            "Table '"
                + binding.table()
                + "' has no snapshot "
                + binding.snapshotId()
                + "; list its snapshots with GET /api/v1/catalogs/{catalog}/namespaces/"
                + binding.table().namespace()
                + "/tables/"
                + binding.table().table()
                + ".");
      }
    }
    if (catalog.sandboxProperties().isEmpty()) {
      throw new FloeException(
          ErrorCode.SANDBOX_UNAVAILABLE,
          "Cannot run against catalog '"
              + catalog.name()
              + "': it has no read-only access configured for runs; set floe.catalogs."
              + catalog.name()
              + ".sandbox-properties.");
    }
    Runner runner = runners.require();

    phase(runId, RunPhase.SANDBOX_START);
    Path runDir = createRunDir(runId);
    boolean handedOff = false;
    ResultPipe pipe = workload.dryRun() ? null : control.pipe();
    try {
      RunSpec spec =
          new RunSpec(
              runId,
              runDir,
              runDir.resolve("job.json"),
              workload.limits().runTime(),
              workload.limits().memoryMb(),
              maxThreads(workload),
              catalog.readOnlyPaths(),
              control.log());
      Path output = workload.dryRun() ? spec.planFile() : spec.resultFile();
      writeJob(spec, workload, catalog, output, pipe != null);
      if (pipe != null) {
        makeFifo(output);
        pipe.created(output);
      }
      ProcessResult process;
      try {
        RunHandle handle = runner.start(spec);
        phase(runId, RunPhase.EXECUTE);
        control.attach(handle);
        process = handle.await();
      } finally {
        if (pipe != null) {
          pipe.writerGone();
        }
      }
      LOG.infof(
          "run %s: %s exit=%d timedOut=%s in %d ms",
          runId,
          runner.name(),
          process.exitCode(),
          process.timedOut(),
          process.elapsed().toMillis());
      if (control.cancelled()) {
        throw new RunFailedException(cancelled(runId), process.logs());
      }
      boolean produced =
          !process.timedOut()
              && process.exitCode() == 0
              && (pipe != null || RunFiles.isPlainFile(output));
      ArrowStreams.Summary summary = null;
      if (produced && pipe == null && !workload.dryRun()) {
        summary = summarize(output);
        if (!summary.complete()) {
          // Exit 0 and a result that is not a whole stream: the run wrote the file itself.
          throw new RunFailedException(
              new FloeException(
                  ErrorCode.RESULT_WRONG_TYPE,
                  "The run's result file is not a complete Arrow stream; assign `result` a polars"
                      + " LazyFrame or DataFrame and leave the run's output files to Floe."),
              process.logs());
        }
      }
      if (!produced) {
        FloeException failure = RunFailures.classify(process, spec.errorFile(), workload.limits());
        throw new RunFailedException(failure, process.logs());
      }
      String plan = workload.dryRun() ? readPlan(output) : null;
      SaveOutcome saved = null;
      Destination destination = workload.destination();
      if (destination != null && !workload.dryRun()) {
        if (!control.enterCommit()) {
          throw new RunFailedException(cancelled(runId), process.logs());
        }
        phase(runId, RunPhase.COMMIT);
        try {
          saved =
              committer.commit(
                  catalog,
                  destination.table(),
                  output,
                  destination.saveMode().name().toLowerCase(Locale.ROOT),
                  destination.schemaMode().name().toLowerCase(Locale.ROOT));
        } catch (FloeException refused) {
          throw new RunFailedException(refused, process.logs());
        }
        LOG.infof("run %s: saved %s", runId, saved);
      }
      handedOff = true;
      return new CompletedRun(
          runId,
          pipe == null && !workload.dryRun() ? output : null,
          summary == null ? null : summary.rows(),
          plan,
          process.logs(),
          saved,
          java.time.Duration.ofNanos(System.nanoTime() - started),
          () -> removeRunDir(runDir));
    } finally {
      if (!handedOff) {
        removeRunDir(runDir);
      }
    }
  }

  /** The failure a cancelled run reports. */
  public static FloeException cancelled(String runId) {
    return new FloeException(
        ErrorCode.RUN_CANCELLED,
        "Run " + runId + " was cancelled before it finished; nothing was saved. Run it again.");
  }

  private static ArrowStreams.Summary summarize(Path result) {
    try {
      return ArrowStreams.summarize(result);
    } catch (IOException e) {
      return new ArrowStreams.Summary(0, false);
    }
  }

  /** The harness's dry-run answer: small JSON, read only if it is a plain file of sane size. */
  private static String readPlan(Path plan) {
    try {
      if (Files.size(plan) > MAX_PLAN_BYTES) {
        throw new FloeException(
            ErrorCode.LIMIT_EXCEEDED,
            "The plan is larger than "
                + MAX_PLAN_BYTES
                + " bytes; run the workload instead of a dry run.");
      }
      return Files.readString(plan);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the plan of a dry run", e);
    }
  }

  private static void makeFifo(Path path) {
    try {
      Process mkfifo =
          new ProcessBuilder("mkfifo", "-m", "0666", path.toString())
              .redirectErrorStream(true)
              .start();
      String said = new String(mkfifo.getInputStream().readAllBytes()).strip();
      if (mkfifo.waitFor() != 0) {
        throw new IOException("mkfifo failed: " + said);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the result pipe " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating the result pipe", e);
    }
  }

  private int maxThreads(Workload workload) {
    int cores = Runtime.getRuntime().availableProcessors();
    int configured = sandbox.maxThreads().orElse(cores);
    Integer asked = workload.compute().vcpus();
    return asked == null ? configured : Math.min(asked, configured);
  }

  private void writeJob(
      RunSpec spec, Workload workload, CatalogHandle catalog, Path output, boolean streamed) {
    Map<String, Object> tables = new LinkedHashMap<>();
    for (TableBinding b : workload.tables()) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("identifier", b.table().toString());
      t.put("snapshot_id", b.snapshotId());
      tables.put(b.alias(), t);
    }
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("version", 1);
    job.put("run_id", spec.runId());
    job.put("mode", workload.mode() == Mode.QUERY ? "query" : "script");
    job.put("source", workload.source());
    job.put("tables", tables);
    job.put("params", workload.params());
    job.put("catalog", Map.of("name", catalog.name(), "properties", catalog.sandboxProperties()));
    job.put("result_path", output.toString());
    job.put("dry_run", workload.dryRun());
    // Streamed results are computed by Polars' streaming engine, so they start flowing before the
    // last batch exists; the rest use the in-memory engine (the numbers of a plain collect()).
    job.put("engine", streamed ? "streaming" : "in-memory");
    job.put("error_path", spec.errorFile().toString());
    job.put("max_threads", spec.maxThreads());
    job.put("script_filename", "script.py");
    try {
      Files.createDirectories(spec.outDir());
      JSON.writeValue(spec.jobFile().toFile(), job);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the job of run " + spec.runId(), e);
    }
  }

  private Path createRunDir(String runId) {
    try {
      Files.createDirectories(runsDir);
      return Files.createDirectory(runsDir.resolve(runId));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the directory of run " + runId, e);
    }
  }

  private void removeRunDir(Path runDir) {
    if (sandbox.keepRunDirs()) {
      return;
    }
    RunFiles.deleteTree(runDir);
  }

  private static void phase(String runId, RunPhase phase) {
    LOG.debugf("run %s: %s", runId, phase);
  }
}
