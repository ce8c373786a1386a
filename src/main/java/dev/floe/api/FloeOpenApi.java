package dev.floe.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The API's title and the error responses every endpoint shares (one envelope for all). */
@OpenAPIDefinition(
    info =
        @Info(
            title = "Floe",
            version = "0.1.0",
            description = "Polars workloads against an Apache Iceberg lake, in a sandbox."),
    components =
        @Components(
            responses = {
              @APIResponse(
                  name = "Result",
                  description =
                      "the result: JSON, or with Accept: "
                          + RunResults.ARROW
                          + " the whole result as an Arrow IPC stream",
                  content = {
                    @Content(
                        mediaType = "application/json",
                        schema = @Schema(implementation = PolarsResponse.class)),
                    @Content(
                        mediaType = RunResults.ARROW,
                        schema =
                            @Schema(
                                type =
                                    org.eclipse.microprofile.openapi.annotations.enums.SchemaType
                                        .STRING,
                                format = "binary"))
                  }),
              @APIResponse(
                  name = "BadRequest",
                  description = "INVALID_REQUEST, SQL_SYNTAX or SCRIPT_SYNTAX",
                  content = {
                    @Content(
                        mediaType = "application/json",
                        schema = @Schema(implementation = ErrorResponse.class)),
                    @Content(
                        mediaType = "application/problem+json",
                        schema = @Schema(implementation = ErrorResponse.class))
                  }),
              @APIResponse(
                  name = "NotFound",
                  description =
                      "CATALOG_NOT_FOUND, NAMESPACE_NOT_FOUND, TABLE_NOT_FOUND or (extension)"
                          + " RUN_NOT_FOUND",
                  content = {
                    @Content(
                        mediaType = "application/json",
                        schema = @Schema(implementation = ErrorResponse.class)),
                    @Content(
                        mediaType = "application/problem+json",
                        schema = @Schema(implementation = ErrorResponse.class))
                  }),
              @APIResponse(
                  name = "Conflict",
                  description =
                      "SCHEMA_MISMATCH, RUN_FINISHED, (extension) COMMIT_CONFLICT, RUN_CANCELLED or"
                          + " TABLE_UNREADABLE",
                  content = {
                    @Content(
                        mediaType = "application/json",
                        schema = @Schema(implementation = ErrorResponse.class)),
                    @Content(
                        mediaType = "application/problem+json",
                        schema = @Schema(implementation = ErrorResponse.class))
                  }),
              @APIResponse(
                  name = "Gone",
                  description = "(extension) RESULT_EXPIRED",
                  content = {
                    @Content(
                        mediaType = "application/json",
                        schema = @Schema(implementation = ErrorResponse.class)),
                    @Content(
                        mediaType = "application/problem+json",
                        schema = @Schema(implementation = ErrorResponse.class))
                  }),
              @APIResponse(
                  name = "Busy",
                  description = "BUSY; the Retry-After header says when to try again",
                  headers =
                      @org.eclipse.microprofile.openapi.annotations.headers.Header(
                          name = "Retry-After",
                          description = "seconds",
                          schema =
                              @Schema(
                                  type =
                                      org.eclipse.microprofile.openapi.annotations.enums.SchemaType
                                          .INTEGER)),
                  content = {
                    @Content(
                        mediaType = "application/json",
                        schema = @Schema(implementation = ErrorResponse.class)),
                    @Content(
                        mediaType = "application/problem+json",
                        schema = @Schema(implementation = ErrorResponse.class))
                  }),
              @APIResponse(
                  name = "TooLarge",
                  description = "LIMIT_EXCEEDED",
                  content = {
                    @Content(
                        mediaType = "application/json",
                        schema = @Schema(implementation = ErrorResponse.class)),
                    @Content(
                        mediaType = "application/problem+json",
                        schema = @Schema(implementation = ErrorResponse.class))
                  }),
              @APIResponse(
                  name = "Unprocessable",
                  description =
                      "SCRIPT_ERROR, QUERY_ERROR, RESULT_NOT_ASSIGNED, RESULT_WRONG_TYPE,"
                          + " OUT_OF_MEMORY, IDEMPOTENCY_KEY_REUSED",
                  content = {
                    @Content(
                        mediaType = "application/json",
                        schema = @Schema(implementation = ErrorResponse.class)),
                    @Content(
                        mediaType = "application/problem+json",
                        schema = @Schema(implementation = ErrorResponse.class))
                  }),
              @APIResponse(
                  name = "Internal",
                  description = "INTERNAL",
                  content = {
                    @Content(
                        mediaType = "application/json",
                        schema = @Schema(implementation = ErrorResponse.class)),
                    @Content(
                        mediaType = "application/problem+json",
                        schema = @Schema(implementation = ErrorResponse.class))
                  }),
              @APIResponse(
                  name = "Unavailable",
                  description = "SANDBOX_UNAVAILABLE or DISTRIBUTED_UNAVAILABLE",
                  content = {
                    @Content(
                        mediaType = "application/json",
                        schema = @Schema(implementation = ErrorResponse.class)),
                    @Content(
                        mediaType = "application/problem+json",
                        schema = @Schema(implementation = ErrorResponse.class))
                  }),
              @APIResponse(
                  name = "Timeout",
                  description = "TIMEOUT",
                  content = {
                    @Content(
                        mediaType = "application/json",
                        schema = @Schema(implementation = ErrorResponse.class)),
                    @Content(
                        mediaType = "application/problem+json",
                        schema = @Schema(implementation = ErrorResponse.class))
                  })
            }))
public class FloeOpenApi extends Application {}
