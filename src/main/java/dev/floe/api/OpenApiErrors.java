package dev.floe.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * The parts of the spec every endpoint shares, written once: the error responses (one envelope,
 * JSON or problem+json, each naming its error codes), the bearer authentication, the 401 and 403
 * every {@code /api/} operation may answer, and the errors a run may end in, which every operation
 * that answers a run's result (the shared {@code Result} response) may answer.
 */
public class OpenApiErrors implements OASFilter {
  private static final String ERROR_SCHEMA = "#/components/schemas/ErrorResponse";
  private static final String BEARER = "bearer";
  private static final String RESULT = "#/components/responses/Result";

  /** Status and shared response of each error a run may end in, whichever endpoint started it. */
  private static final Map<String, String> RUN_ERRORS =
      Map.of(
          "400", "BadRequest",
          "404", "NotFound",
          "409", "Conflict",
          "413", "TooLarge",
          "422", "Unprocessable",
          "500", "Internal",
          "503", "Unavailable",
          "504", "Timeout");

  /** Name of the shared response, and the error codes it stands for. */
  private static final Map<String, String> RESPONSES = new LinkedHashMap<>();

  static {
    RESPONSES.put("BadRequest", "INVALID_REQUEST, SQL_SYNTAX or SCRIPT_SYNTAX");
    RESPONSES.put(
        "Unauthenticated",
        "UNAUTHENTICATED: no, a malformed, an expired, a revoked or a forged bearer token");
    RESPONSES.put(
        "Forbidden",
        "FORBIDDEN: the caller may not do this (a table it may not read answers as a missing one)");
    RESPONSES.put(
        "NotFound",
        "CATALOG_NOT_FOUND, NAMESPACE_NOT_FOUND, TABLE_NOT_FOUND or (extension) RUN_NOT_FOUND,"
            + " KEY_NOT_FOUND, GRANT_NOT_FOUND");
    RESPONSES.put(
        "Conflict",
        "SCHEMA_MISMATCH, RUN_FINISHED, (extension) COMMIT_CONFLICT, RUN_CANCELLED,"
            + " TABLE_UNREADABLE or KEY_EXISTS");
    RESPONSES.put("Gone", "(extension) RESULT_EXPIRED");
    RESPONSES.put("Busy", "BUSY or QUOTA_EXCEEDED; the Retry-After header says when to try again");
    RESPONSES.put("TooLarge", "LIMIT_EXCEEDED");
    RESPONSES.put(
        "Unprocessable",
        "SCRIPT_ERROR, QUERY_ERROR, RESULT_NOT_ASSIGNED, RESULT_WRONG_TYPE, OUT_OF_MEMORY,"
            + " IDEMPOTENCY_KEY_REUSED");
    RESPONSES.put("Internal", "INTERNAL");
    RESPONSES.put("Unavailable", "SANDBOX_UNAVAILABLE or DISTRIBUTED_UNAVAILABLE");
    RESPONSES.put("Timeout", "TIMEOUT");
  }

  @Override
  public void filterOpenAPI(OpenAPI openApi) {
    if (openApi.getComponents() == null) {
      openApi.setComponents(OASFactory.createComponents());
    }
    RESPONSES.forEach(
        (name, codes) -> openApi.getComponents().addResponse(name, error(name, codes)));
    openApi
        .getComponents()
        .addSecurityScheme(
            BEARER,
            OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP)
                .scheme("bearer")
                .description(
                    "A Floe API key (floe keys create) or an access token of the configured"
                        + " identity provider."));
    openApi.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme(BEARER));
    if (openApi.getPaths() == null) {
      return;
    }
    openApi
        .getPaths()
        .getPathItems()
        .forEach(
            (path, item) -> {
              if (path.startsWith("/api/")) {
                item.getOperations().values().forEach(OpenApiErrors::mayEndAsARun);
                item.getOperations().values().forEach(OpenApiErrors::mayRefuse);
              }
            });
  }

  /**
   * An operation that answers a run's result answers the run's errors too; its responses are listed
   * by status.
   */
  private static void mayEndAsARun(Operation operation) {
    APIResponses responses = operation.getResponses();
    APIResponse ok = responses.getAPIResponse("200");
    if (ok == null || !RESULT.equals(ok.getRef())) {
      return;
    }
    Map<String, APIResponse> byStatus = new TreeMap<>(responses.getAPIResponses());
    RUN_ERRORS.forEach(
        (status, name) -> byStatus.put(status, OASFactory.createAPIResponse().ref(name)));
    responses.setAPIResponses(new LinkedHashMap<>(byStatus));
  }

  /** Every API operation answers 401 without a valid token and 403 where the caller may not. */
  private static void mayRefuse(Operation operation) {
    operation
        .getResponses()
        .addAPIResponse("401", OASFactory.createAPIResponse().ref("Unauthenticated"))
        .addAPIResponse("403", OASFactory.createAPIResponse().ref("Forbidden"));
  }

  private static APIResponse error(String name, String codes) {
    Content content = OASFactory.createContent();
    for (String type : new String[] {"application/json", "application/problem+json"}) {
      content.addMediaType(
          type, OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ERROR_SCHEMA)));
    }
    APIResponse response = OASFactory.createAPIResponse().description(codes).content(content);
    if (name.equals("Busy")) {
      header(response, "Retry-After", "seconds", Schema.SchemaType.INTEGER);
    }
    if (name.equals("Unauthenticated")) {
      header(response, "WWW-Authenticate", "Bearer", Schema.SchemaType.STRING);
    }
    return response;
  }

  private static void header(
      APIResponse response, String name, String description, Schema.SchemaType type) {
    response.addHeader(
        name,
        OASFactory.createHeader()
            .description(description)
            .schema(OASFactory.createSchema().type(List.of(type))));
  }
}
