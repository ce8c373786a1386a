package dev.floe.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The API's title and its one success response shared by two endpoints; the error responses every
 * endpoint shares, and authentication, are added by {@link OpenApiErrors}.
 */
@OpenAPIDefinition(
    info =
        @Info(
            title = "Floe",
            version = "0.1.0",
            description = "Polars workloads against an Apache Iceberg lake, in a sandbox."),
    components =
        @Components(
            schemas = {@Schema(name = "ErrorResponse", implementation = ErrorResponse.class)},
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
                  })
            }))
public class FloeOpenApi extends Application {}
