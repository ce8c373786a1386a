package dev.floe.api;

import dev.floe.auth.AdminKeyFile;
import dev.floe.auth.ApiKeys;
import dev.floe.auth.AuditTrail;
import dev.floe.auth.Grants;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** (extension) Admin only: API keys, grants, and the audit trail. */
@Path("/api/v1/admin")
@Tag(name = "admin")
@Blocking
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "400", ref = "#/components/responses/BadRequest")
public class AdminResource {
  private static final int MAX_AUDIT = 10_000;
  private static final long MAX_EXPIRY_SECONDS = 10L * 366 * 24 * 3600;

  private final ApiKeys keys;
  private final Grants grants;
  private final AuditTrail trail;
  private final CurrentRequest current;
  private final Clock clock;

  public AdminResource(
      ApiKeys keys, Grants grants, AuditTrail trail, CurrentRequest current, Clock clock) {
    this.keys = keys;
    this.grants = grants;
    this.trail = trail;
    this.current = current;
    this.clock = clock;
  }

  @POST
  @Path("/keys")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(operationId = "createKey", summary = "Make an API key; its secret is shown once")
  @APIResponse(
      responseCode = "201",
      description = "the key, with its secret",
      content = @Content(schema = @Schema(implementation = AdminDtos.CreatedKey.class)))
  @APIResponse(responseCode = "409", ref = "#/components/responses/Conflict")
  public Response createKey(AdminDtos.KeyRequest request) {
    requireAdmin("make API keys");
    if (request == null) {
      throw FloeException.invalid("Cannot make a key: send {\"name\": ...}.");
    }
    if (request.groups() != null && request.groups().contains(null)) {
      throw FloeException.invalid("Cannot make a key: groups holds a null; list group names.");
    }
    if (request.expiresInSeconds() != null
        && (request.expiresInSeconds() < 1 || request.expiresInSeconds() > MAX_EXPIRY_SECONDS)) {
      throw FloeException.invalid(
          "Cannot make a key that expires in "
              + request.expiresInSeconds()
              + " s: expiresInSeconds is between 1 and "
              + MAX_EXPIRY_SECONDS
              + " (ten years), or leave it out for a key that does not expire.");
    }
    ApiKeys.Created created =
        keys.create(
            request.name(),
            request.principal() == null ? request.name() : request.principal(),
            Set.copyOf(request.groups() == null ? List.of() : request.groups()),
            request.expiresInSeconds() == null
                ? null
                : Duration.ofSeconds(request.expiresInSeconds()));
    return Response.status(201)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(
            new AdminDtos.CreatedKey(
                true, created.secret(), AdminDtos.ApiKeyView.of(created.key(), clock.instant())))
        .build();
  }

  @GET
  @Path("/keys")
  @Operation(operationId = "listKeys", summary = "The API keys, without their secrets")
  @APIResponseSchema(AdminDtos.KeyList.class)
  public AdminDtos.KeyList listKeys() {
    requireAdmin("list API keys");
    Instant now = clock.instant();
    return new AdminDtos.KeyList(
        true, keys.list().stream().map(k -> AdminDtos.ApiKeyView.of(k, now)).toList());
  }

  @DELETE
  @Path("/keys/{name}")
  @Operation(operationId = "revokeKey", summary = "Revoke an API key at once")
  @APIResponse(
      responseCode = "200",
      description = "the revoked key",
      content = @Content(schema = @Schema(implementation = AdminDtos.KeyAnswer.class)))
  @APIResponse(responseCode = "404", ref = "#/components/responses/NotFound")
  public AdminDtos.KeyAnswer revokeKey(@PathParam("name") String name) {
    requireAdmin("revoke API keys");
    if (AdminKeyFile.NAME.equals(name)) {
      throw new FloeException(
          ErrorCode.FORBIDDEN,
          "The key '"
              + name
              + "' is the admin key of the admin key file and is not revoked over the API (that"
              + " could lock every admin out); replace the file and restart Floe to rotate it.");
    }
    return new AdminDtos.KeyAnswer(
        true, AdminDtos.ApiKeyView.of(keys.revoke(name), clock.instant()));
  }

  @POST
  @Path("/grants")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "addGrant",
      summary = "Grant read or write on a catalog, namespace or table")
  @APIResponse(
      responseCode = "201",
      description = "granted",
      content = @Content(schema = @Schema(implementation = AdminDtos.GrantAnswer.class)))
  @APIResponse(
      responseCode = "200",
      description = "it was granted already",
      content = @Content(schema = @Schema(implementation = AdminDtos.GrantAnswer.class)))
  @APIResponse(responseCode = "404", ref = "#/components/responses/NotFound")
  public Response addGrant(AdminDtos.GrantRequest request) {
    requireAdmin("grant access");
    if (request == null) {
      throw FloeException.invalid(
          "Cannot grant: send {\"subject\": ..., \"privilege\": \"read\", \"scope\": ...}.");
    }
    Grants.Added added = grants.add(request.subject(), request.privilege(), request.scope());
    return Response.status(added.created() ? 201 : 200)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new AdminDtos.GrantAnswer(true, AdminDtos.GrantView.of(added.grant())))
        .build();
  }

  @GET
  @Path("/grants")
  @Operation(operationId = "listGrants", summary = "The grants, of one subject or all")
  @APIResponseSchema(AdminDtos.GrantList.class)
  public AdminDtos.GrantList listGrants(
      @Parameter(description = "only this principal's or group's") @QueryParam("subject")
          String subject) {
    requireAdmin("list grants");
    return new AdminDtos.GrantList(
        true, grants.list(blankToNull(subject)).stream().map(AdminDtos.GrantView::of).toList());
  }

  @DELETE
  @Path("/grants")
  @Operation(operationId = "removeGrant", summary = "Remove a grant")
  @APIResponse(
      responseCode = "200",
      description = "the removed grant",
      content = @Content(schema = @Schema(implementation = AdminDtos.GrantAnswer.class)))
  @APIResponse(responseCode = "404", ref = "#/components/responses/NotFound")
  public AdminDtos.GrantAnswer removeGrant(
      @Parameter(required = true) @QueryParam("subject") String subject,
      @Parameter(required = true, schema = @Schema(enumeration = {"read", "write"}))
          @QueryParam("privilege")
          String privilege,
      @Parameter(required = true) @QueryParam("scope") String scope) {
    requireAdmin("remove grants");
    return new AdminDtos.GrantAnswer(
        true, AdminDtos.GrantView.of(grants.remove(subject, privilege, scope)));
  }

  @GET
  @Path("/audit")
  @Operation(
      operationId = "listAudit",
      summary = "The audit trail, newest first: every request and every run's end")
  @APIResponseSchema(AdminDtos.AuditList.class)
  public AdminDtos.AuditList audit(
      @QueryParam("principal") String principal,
      @QueryParam("runId") String runId,
      @Parameter(description = "ISO-8601 instant") @QueryParam("since") String since,
      @Parameter(description = "ISO-8601 instant") @QueryParam("until") String until,
      @Parameter(schema = @Schema(enumeration = {"ok", "refused", "failed"})) @QueryParam("outcome")
          String outcome,
      @Parameter(schema = @Schema(type = SchemaType.INTEGER, defaultValue = "100"))
          @QueryParam("limit")
          @DefaultValue("100")
          String limit) {
    requireAdmin("read the audit trail");
    String wanted = blankToNull(outcome);
    if (wanted != null && !Set.of("ok", "refused", "failed").contains(wanted)) {
      throw FloeException.invalid(
          "Unknown outcome '" + outcome + "'; use one of ok, refused, failed.");
    }
    return new AdminDtos.AuditList(
        true,
        trail
            .find(
                new AuditTrail.Query(
                    blankToNull(principal),
                    blankToNull(runId),
                    instant(since, "since"),
                    instant(until, "until"),
                    wanted,
                    QueryParams.limit(limit, MAX_AUDIT)))
            .stream()
            .map(AdminDtos.AuditRecord::of)
            .toList());
  }

  private void requireAdmin(String what) {
    if (!current.caller().admin()) {
      throw new FloeException(
          ErrorCode.FORBIDDEN,
          "Only an admin may " + what + "; you are " + current.caller().principal() + ".");
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static Instant instant(String value, String name) {
    if (blankToNull(value) == null) {
      return null;
    }
    try {
      return Instant.parse(value.strip());
    } catch (DateTimeParseException e) {
      throw FloeException.invalid(
          "Query parameter "
              + name
              + " must be an ISO-8601 instant such as 2026-11-30T10:00:00Z; it was '"
              + value
              + "'.");
    }
  }
}
