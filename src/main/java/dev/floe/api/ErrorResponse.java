package dev.floe.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.floe.error.Diagnostics;
import dev.floe.error.ErrorCode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The one error envelope of every failure; problem+json fields appear when asked for. */
@Schema(name = "ErrorResponse")
@JsonInclude(JsonInclude.Include.NON_ABSENT)
@RegisterForReflection
public record ErrorResponse(
    @Schema(required = true) boolean success,
    @Schema(required = true, description = "one sentence: what failed and what to do") String error,
    @Schema(nullable = true, description = "a string or null; for user code, the trimmed traceback")
        @JsonInclude(JsonInclude.Include.ALWAYS)
        String details,
    @Schema(required = true) @JsonProperty("error_code") ErrorCode errorCode,
    @JsonProperty("run_id") String runId,
    @Schema(description = "(extension) where in the user's code") Diagnostics diagnostics,
    @Schema(description = "(extension) the run's output, when it ran") String logs,
    @Schema(description = "problem+json only") String type,
    @Schema(description = "problem+json only") String title,
    @Schema(description = "problem+json only") Integer status) {

  public ErrorResponse withProblem() {
    return new ErrorResponse(
        success,
        error,
        details,
        errorCode,
        runId,
        diagnostics,
        logs,
        "https://floe.dev/errors/" + errorCode.name().toLowerCase().replace('_', '-'),
        errorCode.name(),
        errorCode.httpStatus());
  }
}
