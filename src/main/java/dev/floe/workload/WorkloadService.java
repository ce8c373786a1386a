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

  /** Runs the workload to completion; the caller closes the returned run to free its result. */
  public CompletedRun execute(Workload workload, String runId) throws InterruptedException {
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
    try {
      RunSpec spec =
          new RunSpec(
              runId,
              runDir,
              runDir.resolve("job.json"),
              workload.limits().timeout(),
              workload.limits().memoryMb(),
              maxThreads(workload),
              catalog.readOnlyPaths());
      writeJob(spec, workload, catalog);
      RunHandle handle = runner.start(spec);
      phase(runId, RunPhase.EXECUTE);
      ProcessResult process = handle.await();
      LOG.infof(
          "run %s: %s exit=%d timedOut=%s in %d ms",
          runId,
          runner.name(),
          process.exitCode(),
          process.timedOut(),
          process.elapsed().toMillis());
      if (process.timedOut()
          || process.exitCode() != 0
          || !RunFiles.isPlainFile(spec.resultFile())) {
        FloeException failure = RunFailures.classify(process, spec.errorFile(), workload.limits());
        throw new RunFailedException(failure, process.logs());
      }
      SaveOutcome saved = null;
      Destination destination = workload.destination();
      if (destination != null) {
        phase(runId, RunPhase.COMMIT);
        try {
          saved =
              committer.commit(
                  catalog,
                  destination.table(),
                  spec.resultFile(),
                  destination.saveMode().name().toLowerCase(Locale.ROOT),
                  destination.schemaMode().name().toLowerCase(Locale.ROOT),
                  runDir);
        } catch (FloeException refused) {
          throw new RunFailedException(refused, process.logs());
        }
        LOG.infof("run %s: saved %s", runId, saved);
      }
      handedOff = true;
      return new CompletedRun(
          runId,
          spec.resultFile(),
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

  private int maxThreads(Workload workload) {
    int cores = Runtime.getRuntime().availableProcessors();
    int configured = sandbox.maxThreads().orElse(cores);
    Integer asked = workload.compute().vcpus();
    return asked == null ? configured : Math.min(asked, configured);
  }

  private void writeJob(RunSpec spec, Workload workload, CatalogHandle catalog) {
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
    job.put("result_path", spec.resultFile().toString());
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
