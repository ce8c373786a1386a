package dev.floe.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.floe.auth.ApiKeys;
import dev.floe.auth.AuditTrail;
import dev.floe.auth.Grants;
import dev.floe.workload.TableRead;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** (extension) The wire shapes of the admin API: keys, grants, the audit trail, and whoami. */
public final class AdminDtos {
  private AdminDtos() {}

  /** A new key: principal defaults to the name; no expiry unless expiresInSeconds is given. */
  @Schema(name = "KeyRequest")
  @RegisterForReflection
  public record KeyRequest(
      @Schema(required = true) String name,
      String principal,
      List<String> groups,
      @Schema(minimum = "1") Long expiresInSeconds) {}

  /** An API key as listed: never its secret. */
  @Schema(name = "ApiKey")
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @RegisterForReflection
  public record ApiKeyView(
      @Schema(required = true) String name,
      @Schema(required = true) String principal,
      @Schema(required = true) Set<String> groups,
      @Schema(required = true) Instant createdAt,
      @Schema(nullable = true) Instant expiresAt,
      @Schema(nullable = true) Instant revokedAt,
      @Schema(
              required = true,
              enumeration = {"active", "expired", "revoked"})
          String status) {
    static ApiKeyView of(ApiKeys.ApiKey key, Instant now) {
      return new ApiKeyView(
          key.name(),
          key.principal(),
          new TreeSet<>(key.groups()),
          key.createdAt(),
          key.expiresAt(),
          key.revokedAt(),
          key.status(now));
    }
  }

  /** The one answer that shows the secret: keep it, it is not shown again. */
  @Schema(name = "CreatedKey")
  @RegisterForReflection
  public record CreatedKey(
      @Schema(required = true) boolean success,
      @Schema(required = true, description = "the secret, shown this once") String key,
      @Schema(required = true) ApiKeyView apiKey) {}

  @Schema(name = "KeyAnswer")
  @RegisterForReflection
  public record KeyAnswer(
      @Schema(required = true) boolean success, @Schema(required = true) ApiKeyView apiKey) {}

  @Schema(name = "KeyList")
  @RegisterForReflection
  public record KeyList(
      @Schema(required = true) boolean success, @Schema(required = true) List<ApiKeyView> keys) {}

  /** read or write on CATALOG, CATALOG.NAMESPACE or CATALOG.NAMESPACE.TABLE. */
  @Schema(name = "GrantRequest")
  @RegisterForReflection
  public record GrantRequest(
      @Schema(required = true, description = "a principal or a group") String subject,
      @Schema(
              required = true,
              enumeration = {"read", "write"})
          String privilege,
      @Schema(required = true, description = "CATALOG[.NAMESPACE[.TABLE]]") String scope) {}

  @Schema(name = "Grant")
  @RegisterForReflection
  public record GrantView(
      @Schema(required = true) String subject,
      @Schema(
              required = true,
              enumeration = {"read", "write"})
          String privilege,
      @Schema(required = true) String scope,
      @Schema(required = true) Instant createdAt) {
    static GrantView of(Grants.Grant grant) {
      return new GrantView(
          grant.subject(), grant.privilege().wire(), grant.scope(), grant.createdAt());
    }
  }

  @Schema(name = "GrantAnswer")
  @RegisterForReflection
  public record GrantAnswer(
      @Schema(required = true) boolean success, @Schema(required = true) GrantView grant) {}

  @Schema(name = "GrantList")
  @RegisterForReflection
  public record GrantList(
      @Schema(required = true) boolean success, @Schema(required = true) List<GrantView> grants) {}

  @Schema(name = "AuditRecord")
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @RegisterForReflection
  public record AuditRecord(
      @Schema(required = true) long id,
      @Schema(required = true) Instant at,
      @Schema(nullable = true) String principal,
      @Schema(nullable = true) String credential,
      @Schema(nullable = true) String remote,
      @Schema(required = true, description = "METHOD /path, or run for a run's end") String action,
      @Schema(nullable = true) String mode,
      @Schema(nullable = true) String scriptSha256,
      @Schema(required = true, description = "what a run read, at which snapshot; empty else")
          List<TableRead> tables,
      @Schema(nullable = true) String destination,
      @Schema(nullable = true) String snapshotId,
      @Schema(nullable = true) Integer status,
      @Schema(
              required = true,
              enumeration = {"ok", "refused", "failed"})
          String outcome,
      @Schema(nullable = true) String errorCode,
      @Schema(nullable = true) String runId) {
    static AuditRecord of(AuditTrail.Entry e) {
      return new AuditRecord(
          e.id(),
          e.at(),
          e.principal(),
          e.credential(),
          e.remote(),
          e.action(),
          e.mode(),
          e.scriptSha256(),
          e.tables() == null ? List.of() : e.tables(),
          e.destination(),
          e.snapshotId(),
          e.status(),
          e.outcome(),
          e.errorCode(),
          e.runId());
    }
  }

  @Schema(name = "AuditList")
  @RegisterForReflection
  public record AuditList(
      @Schema(required = true) boolean success,
      @Schema(required = true) List<AuditRecord> records) {}

  @Schema(name = "WhoAmI")
  @RegisterForReflection
  public record WhoAmI(
      @Schema(required = true) boolean success,
      @Schema(required = true) String principal,
      @Schema(required = true) Set<String> groups,
      @Schema(required = true) boolean admin,
      @Schema(required = true, description = "key:<name>, jwt:<issuer>, or none")
          String credential) {}
}
