package dev.floe.api;

import dev.floe.workload.Mode;
import dev.floe.workload.SaveMode;
import dev.floe.workload.SchemaMode;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The workload request, field for field as the contract (and the hosted SDK) sends it. */
@Schema(name = "PolarsRequest", additionalProperties = Schema.False.class)
public record PolarsRequest(
    @Schema(required = true, description = "what `query` or `script` holds") Mode mode,
    @Schema(description = "Polars SQL; required when mode=query", examples = "SELECT 1 AS x")
        String query,
    // type + implementation: the items become a plain $ref to the oneOf TableItem (see there).
    @Schema(
            type = SchemaType.ARRAY,
            implementation = TableItem.class,
            description = "table bindings; in query mode the aliases are the SQL table names")
        List<TableItem> tables,
    @Schema(description = "Python source; required when mode=script") String script,
    @Schema(description = "exposed to scripts as the `params` dict") Map<String, Object> params,
    @Schema(description = "run on Polars Cloud instead of locally") Boolean distributed,
    @Schema(description = "Polars Cloud instance type") String instanceType,
    @Schema(minimum = "1") Integer clusterSize,
    @Schema(minimum = "1", description = "CPUs for the run") Integer vcpus,
    @Schema(description = "which configured catalog; omitted = the server's default")
        String catalog,
    @Schema(description = "save the result to namespace.table", examples = "analytics.out")
        String destination,
    @Schema(description = "default overwrite; ignored without destination") SaveMode saveMode,
    @Schema(description = "(extension) how a save treats a schema that differs")
        SchemaMode schemaMode,
    @Schema(description = "(extension) per-run budget") RequestLimits limits,
    @Schema(description = "(extension) validate and plan only") Boolean dryRun) {}
