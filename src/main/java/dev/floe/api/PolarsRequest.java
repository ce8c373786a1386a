package dev.floe.api;

import dev.floe.catalog.trusted.SaveMode;
import dev.floe.catalog.trusted.SchemaMode;
import dev.floe.workload.Mode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The workload request, field for field as the contract (and the hosted SDK) sends it. Every
 * optional field may be null, which means absent (the contract says so).
 */
@Schema(name = "PolarsRequest", additionalProperties = Schema.False.class)
@RegisterForReflection
public record PolarsRequest(
    @Schema(required = true, description = "what `query` or `script` holds") Mode mode,
    @Schema(
            nullable = true,
            description = "Polars SQL; required when mode=query",
            examples = "SELECT 1 AS x")
        String query,
    // type + implementation: the items become a plain $ref to the oneOf TableItem (see there).
    @Schema(
            nullable = true,
            type = SchemaType.ARRAY,
            implementation = TableItem.class,
            description = "table bindings; in query mode the aliases are the SQL table names")
        List<TableItem> tables,
    @Schema(nullable = true, description = "Python source; required when mode=script")
        String script,
    @Schema(nullable = true, description = "exposed to scripts as the `params` dict")
        Map<String, Object> params,
    // Typed boolean in the spec, as the contract has it, so generated clients keep taking a
    // bool; the "auto" extension is a string the service accepts beside it (described here).
    @Schema(
            nullable = true,
            implementation = Boolean.class,
            description =
                "run on Polars Cloud / On-Prem instead of locally. Extension: the string \"auto\""
                    + " lets Floe choose, distributed when the bound tables hold more than the"
                    + " server's threshold")
        DistributedChoice distributed,
    @Schema(
            nullable = true,
            description = "Polars Cloud instance type; only with distributed",
            examples = "t4g.medium")
        String instanceType,
    @Schema(
            nullable = true,
            minimum = "1",
            description = "machines (Polars Cloud) or workers (On-Prem); only with distributed")
        Integer clusterSize,
    @Schema(nullable = true, minimum = "1", description = "CPUs for the run") Integer vcpus,
    @Schema(
            nullable = true,
            description = "which configured catalog; omitted = the server's default")
        String catalog,
    @Schema(
            nullable = true,
            description = "save the result to namespace.table",
            examples = "analytics.out")
        String destination,
    @Schema(nullable = true, description = "default overwrite; ignored without destination")
        SaveMode saveMode,
    @Schema(nullable = true, description = "(extension) how a save treats a schema that differs")
        SchemaMode schemaMode,
    @Schema(nullable = true, description = "(extension) per-run budget") RequestLimits limits,
    @Schema(nullable = true, description = "(extension) validate and plan only") Boolean dryRun,
    @Schema(
            nullable = true,
            maxLength = 200,
            description =
                "(extension) the name of this workload's job in its OpenLineage events; omitted ="
                    + " the mode and a hash of the query or script, so the same source is the same"
                    + " job",
            examples = "daily_flower_report")
        String jobName,
    @Schema(
            nullable = true,
            description =
                "(extension) profile the run: each plan node's time and rows, computed by Polars'"
                    + " streaming engine, in the answer and the run's record")
        Boolean profile) {}
