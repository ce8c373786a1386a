package dev.floe.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A successful run, in the contract's snake_case shape. */
@Schema(name = "PolarsResponse")
@JsonInclude(JsonInclude.Include.ALWAYS)
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
        DryRun dryRun) {

  /** A dry run: the output schema, the optimized plan, the tables and snapshots it would read. */
  @Schema(name = "DryRun")
  public record DryRun(
      @Schema(required = true) List<String> columns,
      @Schema(required = true) @JsonProperty("column_types") List<String> columnTypes,
      @Schema(required = true, description = "Polars' optimized plan") String plan,
      @Schema(required = true) List<ScannedTable> tables,
      @Schema(nullable = true, description = "where a real run would save") String destination) {}

  /** A table a dry run would read, at the snapshot it would read. */
  @Schema(name = "ScannedTable")
  public record ScannedTable(
      @Schema(required = true, examples = "default.flowers") String table,
      @Schema(nullable = true, description = "string of decimal digits; null for an empty table")
          @JsonProperty("snapshot_id")
          String snapshotId) {}

  /** The result table: columns, their Polars dtype names, and the inline rows. */
  @Schema(name = "Results")
  public record Results(
      @Schema(required = true) List<String> columns,
      @Schema(required = true, examples = "[\"String\", \"Float64\"]") @JsonProperty("column_types")
          List<String> columnTypes,
      @Schema(required = true) List<List<Object>> rows) {}

  /** What was saved. */
  @Schema(name = "Saved")
  public record Saved(
      @Schema(required = true) String table,
      @Schema(required = true) @JsonProperty("rows_written") long rowsWritten,
      @Schema(required = true) String mode,
      @Schema(description = "(extension) string of decimal digits") @JsonProperty("snapshot_id")
          String snapshotId) {}

  /** Where the run executed. */
  @Schema(name = "Compute")
  public record Compute(
      @Schema(required = true, examples = "local") String mode,
      @Schema(required = true) boolean distributed,
      @Schema(nullable = true) String instanceType,
      @Schema(nullable = true) Integer clusterSize) {}
}
