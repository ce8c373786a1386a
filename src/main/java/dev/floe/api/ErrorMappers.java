package dev.floe.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.error.TryLaterException;
import dev.floe.workload.RunFailedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The single place where failures become the error envelope; resources never build errors. */
public class ErrorMappers {
  private static final Logger LOG = Logger.getLogger(ErrorMappers.class);
  static final MediaType PROBLEM = MediaType.valueOf("application/problem+json");

  @ServerExceptionMapper
  public Response floe(FloeException e, HttpHeaders headers) {
    String logs = e instanceof RunFailedException run ? run.logs() : null;
    if (e.code() == ErrorCode.INTERNAL) {
      LOG.errorf("run %s failed inside Floe: %s", e.runId(), e.getMessage());
    }
    Response response =
        respond(
            e.code().httpStatus(),
            new ErrorResponse(
                false,
                e.getMessage(),
                e.details(),
                e.code(),
                e.runId(),
                e.diagnostics(),
                logs,
                null,
                null,
                null),
            headers);
    if (e instanceof TryLaterException later) {
      response.getHeaders().putSingle("Retry-After", String.valueOf(later.retryAfterSeconds()));
    }
    if (e.code() == ErrorCode.UNAUTHENTICATED) {
      response.getHeaders().putSingle("WWW-Authenticate", "Bearer realm=\"floe\"");
    }
    return response;
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e, HttpHeaders headers) {
    return invalid(describe(e), headers);
  }

  /** Quarkus maps this subtype itself; ours must be at least as specific to win. */
  @ServerExceptionMapper
  public Response mismatched(MismatchedInputException e, HttpHeaders headers) {
    return invalid(describe(e), headers);
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, HttpHeaders headers) {
    Throwable cause = e.getCause();
    if (cause instanceof JsonProcessingException json) {
      return json(json, headers);
    }
    int status = e.getResponse().getStatus();
    ErrorCode code = status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_REQUEST;
    String message =
        switch (status) {
          case 404 -> "No such endpoint; see /q/openapi for the API.";
          case 405 -> "This method is not allowed here; see /q/openapi for the API.";
          case 406 ->
              "Cannot answer in the media type asked for in Accept; ask for application/json.";
          case 415 -> "Cannot read this body's media type; send Content-Type: application/json.";
          default -> "The request failed (HTTP " + status + "); see /q/openapi for the API.";
        };
    return respond(
        status,
        new ErrorResponse(false, message, null, code, null, null, null, null, null, null),
        headers);
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e, HttpHeaders headers) {
    String incident = "i-" + Long.toHexString(System.nanoTime());
    LOG.errorf(e, "internal error %s", incident);
    return respond(
        500,
        new ErrorResponse(
            false,
            "Floe failed inside (incident "
                + incident
                + "); the error is in the service's logs under that id — please report it.",
            null,
            ErrorCode.INTERNAL,
            null,
            null,
            null,
            null,
            null,
            null),
        headers);
  }

  private Response invalid(String message, HttpHeaders headers) {
    return respond(
        400,
        new ErrorResponse(
            false, message, null, ErrorCode.INVALID_REQUEST, null, null, null, null, null, null),
        headers);
  }

  private static Response respond(int status, ErrorResponse body, HttpHeaders headers) {
    boolean problem =
        headers != null
            && headers.getAcceptableMediaTypes().stream()
                .anyMatch(m -> m.isCompatible(PROBLEM) && !m.isWildcardType());
    var builder = Response.status(status);
    return problem
        ? builder.type(PROBLEM).entity(body.withProblem()).build()
        : builder.type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
  }

  /** One sentence about what in the JSON is wrong, naming the field and the fix. */
  static String describe(JsonProcessingException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      String known = knownFields(u.getKnownPropertyIds());
      String close = closest(u.getPropertyName(), u.getKnownPropertyIds());
      return "Cannot read the request: unknown field '"
          + u.getPropertyName()
          + "'"
          + (close == null ? "" : " (did you mean '" + close + "'?)")
          + "; the fields are "
          + known
          + ".";
    }
    if (e instanceof InvalidFormatException f
        && f.getTargetType() != null
        && f.getTargetType().isEnum()) {
      String allowed =
          Arrays.stream(f.getTargetType().getEnumConstants())
              .map(c -> "\"" + c.toString().toLowerCase() + "\"")
              .collect(Collectors.joining(", "));
      return "Cannot read field '"
          + path(f)
          + "': '"
          + f.getValue()
          + "' is not one of "
          + allowed
          + ".";
    }
    if (e instanceof ValueInstantiationException v && v.getCause() != null) {
      return "Cannot read field '" + path(v) + "': " + v.getCause().getMessage() + ".";
    }
    if (e instanceof MismatchedInputException m) {
      if (m.getPath().isEmpty()) {
        return "Cannot read the request: the body must be a JSON object with mode and a query or"
            + " a script.";
      }
      return "Cannot read field '"
          + path(m)
          + "': it has the wrong type; see the PolarsRequest schema at /q/openapi.";
    }
    return "Cannot read the request: it is not valid JSON ("
        + e.getOriginalMessage().split("\n")[0]
        + ").";
  }

  private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static String knownFields(Collection<Object> ids) {
    return ids == null
        ? "those of the PolarsRequest schema"
        : ids.stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
  }

  private static String closest(String name, Collection<Object> ids) {
    if (ids == null) {
      return null;
    }
    List<String> names = ids.stream().map(Object::toString).toList();
    return names.stream()
        .filter(n -> n.equalsIgnoreCase(name) || dev.floe.catalog.LakeLookup.distance(n, name) <= 2)
        .min(Comparator.comparingInt(n -> dev.floe.catalog.LakeLookup.distance(n, name)))
        .orElse(null);
  }
}
