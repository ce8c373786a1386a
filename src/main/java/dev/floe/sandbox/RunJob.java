package dev.floe.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * The one job a runner receives at hand-over, exactly as it goes over the channel: the wire
 * contract with {@code floe_harness/job.py}. Both sides' tests load the same vectors ({@code
 * src/test/resources/contract/runner/}), so the two cannot drift.
 *
 * @param tables the bound tables, each already granted to the runner
 * @param resultPath where the run writes its result (or its plan, for a dry run), as it sees it
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record RunJob(
    String type,
    int version,
    String runId,
    String mode,
    String source,
    Map<String, Table> tables,
    Map<String, Object> params,
    String catalog,
    String resultPath,
    String errorPath,
    boolean dryRun,
    String engine,
    boolean distributed,
    boolean profile,
    int maxThreads,
    String scriptFilename,
    Limits limits) {

  public static final int VERSION = 2;

  /** Open files of one process of a run (RLIMIT_NOFILE). */
  public static final int OPEN_FILES = 1024;

  /** A job of the current version. */
  public static RunJob of(
      String runId,
      Code code,
      Map<String, Table> tables,
      String catalog,
      Output output,
      int maxThreads,
      Limits limits) {
    return new RunJob(
        "job",
        VERSION,
        runId,
        code.mode(),
        code.source(),
        tables,
        code.params(),
        catalog,
        output.resultPath(),
        output.errorPath(),
        code.dryRun(),
        code.engine(),
        code.distributed(),
        code.profile(),
        maxThreads,
        "script.py",
        limits);
  }

  /**
   * What the run executes.
   *
   * @param mode {@code query} or {@code script}
   * @param engine {@code in-memory} or {@code streaming}
   * @param distributed write the plan over stand-ins for the tables, for the trusted dispatcher
   * @param profile track each plan node's time and rows (streaming engine) and send them over the
   *     channel
   */
  public record Code(
      String mode,
      String source,
      Map<String, Object> params,
      boolean dryRun,
      String engine,
      boolean distributed,
      boolean profile) {}

  /** Where the run writes its result and its error, as it sees them. */
  public record Output(String resultPath, String errorPath) {}

  /**
   * A table the run may read, at one snapshot.
   *
   * @param snapshotId decimal digits (snapshot ids pass 2^53), or null for a table with none
   * @param metadataLocation the metadata file the runner reads it by
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Table(String identifier, String snapshotId, String metadataLocation) {}

  /**
   * The run's budget, applied by the runner to itself before user code runs.
   *
   * @param addressSpaceBytes a backstop only (the memory cgroup is the limit); 0 means none
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Limits(
      long timeoutSeconds,
      long memoryBytes,
      long maxFileBytes,
      int openFiles,
      long addressSpaceBytes) {}
}
