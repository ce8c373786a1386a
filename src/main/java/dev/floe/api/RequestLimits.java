package dev.floe.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Per-run budget asked by the client; each value is capped by the server. (Extension.) */
@Schema(name = "Limits")
@RegisterForReflection
public record RequestLimits(
    @Schema(nullable = true, minimum = "1") Integer timeoutSeconds,
    @Schema(nullable = true, minimum = "1") Integer memoryMb,
    @Schema(
            nullable = true,
            minimum = "1",
            description = "inline JSON rows; the full count is still reported")
        Integer maxRows,
    @Schema(nullable = true, minimum = "1") Long maxResultBytes) {}
