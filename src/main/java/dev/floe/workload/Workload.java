package dev.floe.workload;

import java.util.List;
import java.util.Map;

/**
 * A validated request: everything a run needs, nothing left to check for shape.
 *
 * @param catalog the catalog name as the client gave it; null for the default
 * @param destination null when the result is not saved
 * @param principal who asked; {@code anonymous} while authentication is off
 */
public record Workload(
    Mode mode,
    String source,
    List<TableBinding> tables,
    Map<String, Object> params,
    String catalog,
    Destination destination,
    RunLimits limits,
    Compute compute,
    boolean dryRun,
    String principal) {}
