package dev.floe.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a runner needs to start one harness process. Paths are host paths; the job file already
 * refers to them, so every runner must make them visible at the same paths.
 *
 * @param runDir the run's own directory (job.json, out/); the only place the run may write
 * @param readOnlyPaths lake paths the run reads (warehouse, embedded catalog directory)
 * @param log where the run's stdout and stderr go; readable while the run is going
 */
public record RunSpec(
    String runId,
    Path runDir,
    Path jobFile,
    Duration timeout,
    int memoryMb,
    int maxThreads,
    List<String> readOnlyPaths,
    BoundedLog log) {

  public Path outDir() {
    return runDir.resolve("out");
  }

  public Path resultFile() {
    return outDir().resolve("result.arrows");
  }

  /** A dry run's answer (the harness's plan JSON), instead of a result. */
  public Path planFile() {
    return outDir().resolve("plan.json");
  }

  public Path errorFile() {
    return outDir().resolve("error.json");
  }
}
