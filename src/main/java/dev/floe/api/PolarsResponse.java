package dev.floe.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A successful run, in the contract's snake_case shape. */
@Schema(name = "PolarsResponse")
@JsonInclude(JsonInclude.Include.ALWAYS)
@RegisterForReflection
public record PolarsResponse(
    @Schema(required = true) boolean success,
    @Schema(required = true, nullable = true, description = "null for a dry run") Results results,
    @Schema(required = true) @JsonProperty("row_count") long rowCount,
    @Schema(required = true, examples = "412ms") @JsonProperty("execution_time")
        String executionTime,
    @Schema(nullable = true) String error,
    @Schema(nullable = true) Saved saved,
    @Schema(required = true) Compute compute,
    @Schema(description = "(extension) the run's stdout/stderr, bounded") String logs,
    @Schema(description = "(extension) true when maxRows cut the inline rows") boolean truncated,
    @Schema(description = "(extension)") @JsonProperty("run_id") String runId,
    @Schema(description = "(extension) what a dry run found; absent otherwise")
        @JsonProperty("dry_run")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        DryRun dryRun,
    @Schema(description = "(extension) where the run's time went and how it got its runner")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        Timing timing,
    @Schema(description = "(extension) a profiled run's plan nodes; absent otherwise")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        Profile profile) {

  /**
   * A profiled run ({@code "profile": true}): each node of the streaming engine's plan with its
   * time and the rows it received and sent, as the run reported them (its own account, like its
   * logs), most expensive first.
   */
  @Schema(name = "Profile")
  @RegisterForReflection
  public record Profile(
      @Schema(required = true, description = "the query's time in the engine, in ms")
          @JsonProperty("total_ms")
          double totalMs,
      @Schema(required = true) List<ProfileNode> nodes) {}

  /** One node of a profiled plan. */
  @Schema(name = "ProfileNode")
  @RegisterForReflection
  public record ProfileNode(
      @Schema(required = true, examples = "group-by") String node,
      @Schema(required = true, description = "its time, in ms") @JsonProperty("time_ms")
          double timeMs,
      @Schema(required = true, description = "rows it received") @JsonProperty("rows_in")
          long rowsIn,
      @Schema(required = true, description = "rows it sent on") @JsonProperty("rows_out")
          long rowsOut) {}

  /**
   * Where a run's time went: waiting in the queue, getting a runner (none when one was waiting
   * ready: {@code runner_start} warm), granting its tables and handing the job over, executing,
   * committing a save.
   */
  @Schema(name = "Timing")
  @RegisterForReflection
  public record Timing(
      @Schema(required = true, examples = "fork") String runner,
      @Schema(required = true, description = "the runner, as the service's log names it")
          @JsonProperty("runner_id")
          String runnerId,
      @Schema(
              required = true,
              enumeration = {"warm", "cold"},
              description = "warm: the runner was started before the run; cold: for it")
          @JsonProperty("runner_start")
          String runnerStart,
      @Schema(required = true) @JsonProperty("queue_ms") long queueMs,
      @Schema(required = true) @JsonProperty("runner_ms") long runnerMs,
      @Schema(required = true) @JsonProperty("prepare_ms") long prepareMs,
      @Schema(required = true) @JsonProperty("execute_ms") long executeMs,
      @Schema(required = true) @JsonProperty("commit_ms") long commitMs) {

    static Timing of(dev.floe.runs.RunRecord run) {
      dev.floe.workload.RunTimings t = run.timings();
      if (t == null) {
        return null;
      }
      long queued =
          run.startedAt() == null
              ? 0
              : Math.max(0, run.startedAt().toEpochMilli() - run.createdAt().toEpochMilli());
      return new Timing(
          t.runner(),
          t.runnerId(),
          t.warmRunner() ? "warm" : "cold",
          queued,
          t.runnerStart().toMillis(),
          t.prepare().toMillis(),
          t.execute().toMillis(),
          t.commit().toMillis());
    }
  }

  /**
   * A dry run: the output schema, the optimized plan, the tables and snapshots it would read, what
   * each scan would read after pruning, and whether its save would pass.
   */
  @Schema(name = "DryRun")
  @RegisterForReflection
  public record DryRun(
      @Schema(required = true) List<String> columns,
      @Schema(required = true) @JsonProperty("column_types") List<String> columnTypes,
      @Schema(required = true, description = "Polars' optimized plan") String plan,
      @Schema(required = true) List<ScannedTable> tables,
      @Schema(nullable = true, description = "where a real run would save") String destination,
      @Schema(
              required = true,
              description =
                  "(extension) each Iceberg scan the plan makes: the columns and the filter pushed"
                      + " into it, and the input left after partition and column-metrics pruning,"
                      + " from the manifests")
          List<ScanEstimate> reads,
      @Schema(required = true, description = "(extension) the input of all scans together")
          InputEstimate estimate,
      @Schema(
              nullable = true,
              description =
                  "(extension) with destination: whether the save would pass, checked by the"
                      + " save's own rules without writing")
          SaveVerdict save) {}

  /** One Iceberg scan of a dry run's plan, and what it would read. */
  @Schema(name = "ScanEstimate")
  @RegisterForReflection
  public record ScanEstimate(
      @Schema(required = true, examples = "default.flowers") String table,
      @Schema(nullable = true, description = "string of decimal digits; null for an empty table")
          @JsonProperty("snapshot_id")
          String snapshotId,
      @Schema(required = true, description = "the columns the scan reads") List<String> columns,
      @Schema(
              nullable = true,
              description = "the filter pushed into the scan for pruning, in SQL words; null: none",
              examples = "(day = 2) AND (x < 6)")
          String filter,
      @Schema(required = true, description = "data files left after pruning")
          @JsonProperty("data_files")
          long dataFiles,
      @Schema(required = true, description = "their bytes (string of decimal digits)") String bytes,
      @Schema(required = true, description = "their records (string of decimal digits)")
          String records,
      @Schema(nullable = true, description = "data files of the whole snapshot")
          @JsonProperty("snapshot_data_files")
          Long snapshotDataFiles,
      @Schema(nullable = true, description = "bytes of the whole snapshot")
          @JsonProperty("snapshot_bytes")
          String snapshotBytes,
      @Schema(nullable = true, description = "records of the whole snapshot")
          @JsonProperty("snapshot_records")
          String snapshotRecords) {}

  /** What a dry run's scans would read together. */
  @Schema(name = "InputEstimate")
  @RegisterForReflection
  public record InputEstimate(
      @Schema(required = true) @JsonProperty("data_files") long dataFiles,
      @Schema(required = true, description = "string of decimal digits") String bytes,
      @Schema(required = true, description = "string of decimal digits") String records) {}

  /** Whether a dry run's save would pass, and what the table would look like after it. */
  @Schema(name = "SaveVerdict")
  @RegisterForReflection
  public record SaveVerdict(
      @Schema(required = true, examples = "analytics.out") String table,
      @Schema(required = true) @JsonProperty("would_save") boolean wouldSave,
      @Schema(required = true, description = "the table does not exist yet: the save creates it")
          @JsonProperty("creates_table")
          boolean createsTable,
      @Schema(nullable = true, description = "the error the save would fail with (a 409's code)")
          @JsonProperty("error_code")
          String errorCode,
      @Schema(nullable = true, description = "its sentence, as the save would answer it")
          String error,
      @Schema(
              required = true,
              description = "the table's columns after the save (empty when it would fail)")
          List<SaveColumn> columns,
      @Schema(required = true, description = "how the result's columns differ from the table's now")
          List<SchemaDifference> differences) {}

  /** A column of a table: its name and its Iceberg type. */
  @Schema(name = "SaveColumn")
  @RegisterForReflection
  public record SaveColumn(
      @Schema(required = true) String name,
      @Schema(required = true, examples = "long") String type) {}

  /** A column where a result and a table disagree. */
  @Schema(name = "SchemaDifference")
  @RegisterForReflection
  public record SchemaDifference(
      @Schema(required = true) String column,
      @Schema(
              required = true,
              enumeration = {"missing", "extra", "type"})
          String problem,
      @Schema(nullable = true) @JsonProperty("table_type") String tableType,
      @Schema(nullable = true) @JsonProperty("result_type") String resultType) {}

  /** A table a dry run would read, at the snapshot it would read. */
  @Schema(name = "ScannedTable")
  @RegisterForReflection
  public record ScannedTable(
      @Schema(required = true, examples = "default.flowers") String table,
      @Schema(nullable = true, description = "string of decimal digits; null for an empty table")
          @JsonProperty("snapshot_id")
          String snapshotId) {}

  /** The result table: columns, their Polars dtype names, and the inline rows. */
  @Schema(name = "Results")
  @RegisterForReflection
  public record Results(
      @Schema(required = true) List<String> columns,
      @Schema(required = true, examples = "[\"String\", \"Float64\"]") @JsonProperty("column_types")
          List<String> columnTypes,
      @Schema(required = true) List<List<Object>> rows) {}

  /** What was saved. */
  @Schema(name = "Saved")
  @RegisterForReflection
  public record Saved(
      @Schema(required = true) String table,
      @Schema(required = true) @JsonProperty("rows_written") long rowsWritten,
      @Schema(required = true) String mode,
      @Schema(description = "(extension) string of decimal digits") @JsonProperty("snapshot_id")
          String snapshotId) {}

  /** Where the run executed. */
  @Schema(name = "Compute")
  @RegisterForReflection
  public record Compute(
      @Schema(required = true, examples = "local", description = "local or distributed")
          String mode,
      @Schema(required = true) boolean distributed,
      @Schema(nullable = true) String instanceType,
      @Schema(nullable = true) Integer clusterSize,
      @Schema(
              nullable = true,
              description =
                  "(extension) where a distributed run went: cloud (Polars Cloud) or on-prem")
          String target,
      @Schema(nullable = true, description = "(extension) the distributed engine's query id")
          String queryId,
      @Schema(
              nullable = true,
              description = "(extension) why Floe chose local or distributed for \"auto\"")
          String reason) {

    public static final Compute LOCAL = new Compute("local", false, null, null, null, null, null);

    static Compute of(dev.floe.distributed.Placement p) {
      return p == null
          ? LOCAL
          : new Compute(
              p.mode(),
              p.distributed(),
              p.instanceType(),
              p.clusterSize(),
              p.target(),
              p.queryId(),
              p.reason());
    }
  }
}
