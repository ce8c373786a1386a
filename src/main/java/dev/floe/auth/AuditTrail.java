package dev.floe.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.catalog.SaveOutcome;
import dev.floe.config.AuthConfig;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.runs.RunDatabase;
import dev.floe.runs.RunRecord;
import dev.floe.runs.RunWatch;
import dev.floe.workload.Caller;
import dev.floe.workload.TableRead;
import dev.floe.workload.Workload;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The audit trail: one entry per API request, accepted or refused, and one per run's end (what it
 * read at which snapshot, what it saved: the runs tell it as their {@link RunWatch}). Kept in the
 * run store across restarts. Never a secret, a key, or a script's text: its SHA-256.
 */
@Singleton
@jakarta.enterprise.inject.Typed(AuditTrail.class)
public class AuditTrail implements RunWatch {
  private static final Logger LOG = Logger.getLogger(AuditTrail.class);

  /** Refusals of the caller, as opposed to failures of the work. */
  private static final Set<ErrorCode> REFUSALS =
      Set.of(ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.QUOTA_EXCEEDED);

  /** One entry. {@code id} is assigned when it is appended; {@code status} is null for a run. */
  public record Entry(
      long id,
      Instant at,
      String principal,
      String credential,
      String remote,
      String action,
      String mode,
      String scriptSha256,
      List<TableRead> tables,
      String destination,
      String snapshotId,
      Integer status,
      String outcome,
      String errorCode,
      String runId) {}

  /** Which entries to find; null fields do not filter. */
  public record Query(
      String principal, String runId, Instant since, Instant until, String outcome, int limit) {}

  private final RunDatabase database;
  private final ObjectMapper json;
  private final AuthConfig config;
  private final Clock clock;

  public AuditTrail(RunDatabase database, ObjectMapper json, AuthConfig config, Clock clock) {
    this.database = database;
    this.json = json;
    this.config = config;
    this.clock = clock;
  }

  /** Entries older than {@code floe.auth.audit-retention} go. */
  @Scheduled(
      identity = "floe-audit-sweeper",
      every = "${floe.runs.sweep-interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void sweep() {
    long before = clock.instant().minus(config.auditRetention()).toEpochMilli();
    try {
      int removed =
          database.transaction(
              "prune the audit trail",
              db -> {
                try (PreparedStatement p =
                    db.prepareStatement("DELETE FROM floe_audit WHERE at < ?")) {
                  p.setLong(1, before);
                  return p.executeUpdate();
                }
              });
      if (removed > 0) {
        LOG.infof("Removed %d audit entries older than %s", removed, config.auditRetention());
      }
    } catch (RuntimeException e) {
      LOG.warnf(e, "Pruning the audit trail failed; will try again");
    }
  }

  /** ok, refused (who asked may not: 401, 403, quota) or failed, from an error code or none. */
  static String outcome(ErrorCode code) {
    if (code == null) {
      return "ok";
    }
    return REFUSALS.contains(code) ? "refused" : "failed";
  }

  /**
   * An API request as it was answered. {@code caller} is null when it was not authenticated, {@code
   * workload} when it asked to run nothing; an answer of 400 or more without an error code failed.
   */
  public void request(
      Caller caller,
      String remote,
      String action,
      Workload workload,
      int status,
      ErrorCode code,
      String runId) {
    append(
        new Entry(
            0,
            clock.instant(),
            caller == null ? null : caller.principal(),
            caller == null ? null : caller.credential(),
            remote,
            action,
            workload == null ? null : workload.mode().name().toLowerCase(Locale.ROOT),
            workload == null ? null : sha256(workload.source()),
            null,
            workload == null || workload.destination() == null
                ? null
                : workload.destination().table().toString(),
            null,
            status,
            code == null && status >= 400 ? "failed" : outcome(code),
            code == null ? null : code.name(),
            runId));
  }

  /** A run's end: who ran it, what it read at which snapshots, what it saved. */
  @Override
  public void ended(RunRecord end, Workload workload, List<TableRead> reads) {
    FloeException error = end.error();
    SaveOutcome saved = end.saved();
    append(
        new Entry(
            0,
            clock.instant(),
            workload.principal(),
            workload.caller().credential(),
            null,
            "run",
            end.mode(),
            sha256(workload.source()),
            reads,
            saved != null
                ? (end.catalog() == null ? "" : end.catalog() + ".") + saved.table()
                : workload.destination() == null ? null : workload.destination().table().toString(),
            saved == null ? null : saved.snapshotId(),
            null,
            outcome(error == null ? null : error.code()),
            error == null ? null : error.code().name(),
            end.runId()));
  }

  /** The SHA-256 of a query or script: what ran, without its text. */
  public static String sha256(String source) {
    if (source == null) {
      return null;
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void append(Entry e) {
    String tables;
    try {
      tables = e.tables() == null ? null : json.writeValueAsString(e.tables());
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
    database.transaction(
        "append to the audit trail",
        db -> {
          try (PreparedStatement p =
              db.prepareStatement(
                  "INSERT INTO floe_audit (at, principal, credential, remote, action, mode,"
                      + " script_sha256, tables_json, destination, snapshot_id, status, outcome,"
                      + " error_code, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            p.setLong(1, e.at().toEpochMilli());
            p.setString(2, e.principal());
            p.setString(3, e.credential());
            p.setString(4, e.remote());
            p.setString(5, e.action());
            p.setString(6, e.mode());
            p.setString(7, e.scriptSha256());
            p.setString(8, tables);
            p.setString(9, e.destination());
            p.setString(10, e.snapshotId());
            if (e.status() == null) {
              p.setNull(11, Types.INTEGER);
            } else {
              p.setInt(11, e.status());
            }
            p.setString(12, e.outcome());
            p.setString(13, e.errorCode());
            p.setString(14, e.runId());
            p.executeUpdate();
          }
          return null;
        });
  }

  /** Entries matching {@code q}, newest first. */
  public List<Entry> find(Query q) {
    List<String> where = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    if (q.principal() != null) {
      where.add("principal=?");
      args.add(q.principal());
    }
    if (q.runId() != null) {
      where.add("run_id=?");
      args.add(q.runId());
    }
    if (q.since() != null) {
      where.add("at>=?");
      args.add(q.since().toEpochMilli());
    }
    if (q.until() != null) {
      where.add("at<?");
      args.add(q.until().toEpochMilli());
    }
    if (q.outcome() != null) {
      where.add("outcome=?");
      args.add(q.outcome());
    }
    String sql =
        "SELECT * FROM floe_audit"
            + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
            + " ORDER BY at DESC, id DESC LIMIT ?";
    args.add(q.limit());
    return database.transaction(
        "read the audit trail",
        db -> {
          try (PreparedStatement p = db.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
              p.setObject(i + 1, args.get(i));
            }
            List<Entry> found = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                found.add(read(r));
              }
            }
            return found;
          }
        });
  }

  private Entry read(ResultSet r) throws SQLException {
    List<TableRead> tables = null;
    String tablesJson = r.getString("tables_json");
    if (tablesJson != null) {
      try {
        tables = json.readValue(tablesJson, new TypeReference<List<TableRead>>() {});
      } catch (JsonProcessingException e) {
        throw new SQLException("unreadable tables in audit entry " + r.getLong("id"), e);
      }
    }
    int status = r.getInt("status");
    Integer statusOrNull = r.wasNull() ? null : status;
    return new Entry(
        r.getLong("id"),
        Instant.ofEpochMilli(r.getLong("at")),
        r.getString("principal"),
        r.getString("credential"),
        r.getString("remote"),
        r.getString("action"),
        r.getString("mode"),
        r.getString("script_sha256"),
        tables,
        r.getString("destination"),
        r.getString("snapshot_id"),
        statusOrNull,
        r.getString("outcome"),
        r.getString("error_code"),
        r.getString("run_id"));
  }
}
