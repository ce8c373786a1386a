package dev.floe.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.catalog.SaveOutcome;
import dev.floe.catalog.TableName;
import dev.floe.error.Diagnostics;
import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import dev.floe.sandbox.BoundedLog;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Run records and idempotency keys in one small SQL database (SQLite next to the catalog by
 * default). One connection, serialized: a run store sees a few writes per run, never a hot path.
 */
public final class RunStore implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS =
      "run_id, status, mode, catalog, destination, principal, created_at, started_at,"
          + " finished_at, elapsed_ms, row_count, saved_json, error_json, logs, result_file,"
          + " result_expires_at, plan_json, max_rows, max_result_bytes";

  private final Connection db;

  /** A key already claimed: the body it came with and the run it started. */
  public record Claim(String bodyHash, String runId) {}

  public RunStore(String jdbcUrl) {
    try {
      if (jdbcUrl.startsWith("jdbc:sqlite:")) {
        Class.forName("org.sqlite.JDBC", true, RunStore.class.getClassLoader());
        Path file = Path.of(jdbcUrl.substring("jdbc:sqlite:".length()));
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      db = DriverManager.getConnection(jdbcUrl);
      try (Statement s = db.createStatement()) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
          s.execute("PRAGMA journal_mode=WAL");
          s.execute("PRAGMA busy_timeout=5000");
        }
        s.execute(
            "CREATE TABLE IF NOT EXISTS floe_runs (run_id VARCHAR(64) PRIMARY KEY, status"
                + " VARCHAR(16) NOT NULL, mode VARCHAR(16), catalog VARCHAR(256), destination"
                + " VARCHAR(512), principal VARCHAR(256), created_at BIGINT NOT NULL, started_at"
                + " BIGINT, finished_at BIGINT, elapsed_ms BIGINT, row_count BIGINT, saved_json"
                + " TEXT, error_json TEXT, logs TEXT, result_file VARCHAR(1024),"
                + " result_expires_at BIGINT, plan_json TEXT, max_rows INTEGER, max_result_bytes"
                + " BIGINT)");
        s.execute("CREATE INDEX IF NOT EXISTS floe_runs_by_time ON floe_runs (created_at DESC)");
        s.execute(
            "CREATE TABLE IF NOT EXISTS floe_idempotency (idem_key VARCHAR(512) PRIMARY KEY,"
                + " body_hash VARCHAR(64) NOT NULL, run_id VARCHAR(64) NOT NULL, created_at"
                + " BIGINT NOT NULL)");
      }
    } catch (SQLException | ClassNotFoundException | java.io.IOException e) {
      throw new IllegalStateException("Cannot open the run store at " + jdbcUrl, e);
    }
  }

  public synchronized void insert(RunRecord run) {
    String marks = "?,".repeat(18) + "?";
    try (PreparedStatement p =
        db.prepareStatement("INSERT INTO floe_runs (" + COLUMNS + ") VALUES (" + marks + ")")) {
      bind(p, run);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("record run " + run.runId(), e);
    }
  }

  /** Replaces a run's record (its status changed). */
  public synchronized void update(RunRecord run) {
    String set =
        String.join("=?, ", COLUMNS.replace("run_id, ", "").replace(" ", "").split(",")) + "=?";
    try (PreparedStatement p =
        db.prepareStatement("UPDATE floe_runs SET " + set + " WHERE run_id=?")) {
      int i = bindWithoutId(p, run);
      p.setString(i, run.runId());
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("update run " + run.runId(), e);
    }
  }

  public synchronized void delete(String runId) {
    try (PreparedStatement p = db.prepareStatement("DELETE FROM floe_runs WHERE run_id=?")) {
      p.setString(1, runId);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("delete run " + runId, e);
    }
  }

  public synchronized Optional<RunRecord> get(String runId) {
    try (PreparedStatement p =
        db.prepareStatement("SELECT " + COLUMNS + " FROM floe_runs WHERE run_id=?")) {
      p.setString(1, runId);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? Optional.of(read(r)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failed("read run " + runId, e);
    }
  }

  /** Newest first; {@code status} null for all. */
  public synchronized List<RunRecord> list(RunStatus status, int limit) {
    String where = status == null ? "" : " WHERE status=?";
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM floe_runs"
                + where
                + " ORDER BY created_at DESC LIMIT ?")) {
      int i = 1;
      if (status != null) {
        p.setString(i++, status.name());
      }
      p.setInt(i, limit);
      List<RunRecord> runs = new ArrayList<>();
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          runs.add(read(r));
        }
      }
      return runs;
    } catch (SQLException e) {
      throw failed("list runs", e);
    }
  }

  /**
   * Runs a previous service process left queued or running can never finish: they read failed,
   * "service restarted". Returns how many.
   */
  public synchronized int failInFlight(Instant now) {
    List<RunRecord> stranded = new ArrayList<>();
    for (RunStatus status : List.of(RunStatus.QUEUED, RunStatus.RUNNING)) {
      stranded.addAll(list(status, Integer.MAX_VALUE));
    }
    for (RunRecord run : stranded) {
      FloeException restarted =
          new FloeException(
                  ErrorCode.INTERNAL,
                  "The service restarted while run "
                      + run.runId()
                      + " was "
                      + run.status().wire()
                      + "; nothing was saved. Run it again.")
              .inRun(run.runId());
      update(
          run.finished(
              RunStatus.FAILED, now, null, null, null, restarted, run.logs(), null, null, null));
    }
    return stranded.size();
  }

  /**
   * Claims an idempotency key for a run, unless a live claim exists: then that claim is returned
   * and nothing changes. Claims older than {@code since} are dead and replaced.
   */
  public synchronized Optional<Claim> claim(
      String key, String bodyHash, String runId, Instant now, Instant since) {
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT body_hash, run_id, created_at FROM floe_idempotency WHERE idem_key=?")) {
      p.setString(1, key);
      try (ResultSet r = p.executeQuery()) {
        if (r.next() && r.getLong(3) >= since.toEpochMilli()) {
          return Optional.of(new Claim(r.getString(1), r.getString(2)));
        }
      }
      try (PreparedStatement dead =
          db.prepareStatement("DELETE FROM floe_idempotency WHERE idem_key=?")) {
        dead.setString(1, key);
        dead.executeUpdate();
      }
      try (PreparedStatement put =
          db.prepareStatement(
              "INSERT INTO floe_idempotency (idem_key, body_hash, run_id, created_at)"
                  + " VALUES (?,?,?,?)")) {
        put.setString(1, key);
        put.setString(2, bodyHash);
        put.setString(3, runId);
        put.setLong(4, now.toEpochMilli());
        put.executeUpdate();
      }
      return Optional.empty();
    } catch (SQLException e) {
      throw failed("claim an idempotency key", e);
    }
  }

  /** A run that was never accepted (the queue was full) gives its key back. */
  public synchronized void release(String key, String runId) {
    try (PreparedStatement p =
        db.prepareStatement("DELETE FROM floe_idempotency WHERE idem_key=? AND run_id=?")) {
      p.setString(1, key);
      p.setString(2, runId);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("release an idempotency key", e);
    }
  }

  /** Kept results past their time: the caller deletes the files, then calls {@link #forget}. */
  public synchronized Map<String, String> expiredResults(Instant now) {
    Map<String, String> expired = new LinkedHashMap<>();
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT run_id, result_file FROM floe_runs WHERE result_file IS NOT NULL AND"
                + " result_expires_at < ?")) {
      p.setLong(1, now.toEpochMilli());
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          expired.put(r.getString(1), r.getString(2));
        }
      }
      return expired;
    } catch (SQLException e) {
      throw failed("find expired results", e);
    }
  }

  /** The run's kept result is gone. */
  public synchronized void forgetResult(String runId) {
    try (PreparedStatement p =
        db.prepareStatement(
            "UPDATE floe_runs SET result_file=NULL, result_expires_at=NULL WHERE run_id=?")) {
      p.setString(1, runId);
      p.executeUpdate();
    } catch (SQLException e) {
      throw failed("forget the result of run " + runId, e);
    }
  }

  /** Every result file a record still points at. */
  public synchronized List<String> keptResults() {
    List<String> files = new ArrayList<>();
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery("SELECT result_file FROM floe_runs WHERE result_file IS NOT NULL")) {
      while (r.next()) {
        files.add(r.getString(1));
      }
      return files;
    } catch (SQLException e) {
      throw failed("list kept results", e);
    }
  }

  /** Drops finished records and keys older than their retention. Returns records dropped. */
  public synchronized int prune(Instant recordsBefore, Instant keysBefore) {
    try (PreparedStatement runs =
            db.prepareStatement(
                "DELETE FROM floe_runs WHERE finished_at IS NOT NULL AND finished_at < ? AND"
                    + " result_file IS NULL");
        PreparedStatement keys =
            db.prepareStatement("DELETE FROM floe_idempotency WHERE created_at < ?")) {
      runs.setLong(1, recordsBefore.toEpochMilli());
      keys.setLong(1, keysBefore.toEpochMilli());
      keys.executeUpdate();
      return runs.executeUpdate();
    } catch (SQLException e) {
      throw failed("prune old runs", e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      // closing at shutdown; nothing left to do
    }
  }

  private static void bind(PreparedStatement p, RunRecord run) throws SQLException {
    p.setString(1, run.runId());
    bindFrom(p, 2, run);
  }

  private static int bindWithoutId(PreparedStatement p, RunRecord run) throws SQLException {
    return bindFrom(p, 1, run);
  }

  private static int bindFrom(PreparedStatement p, int i, RunRecord run) throws SQLException {
    p.setString(i++, run.status().name());
    p.setString(i++, run.mode());
    p.setString(i++, run.catalog());
    p.setString(i++, run.destination());
    p.setString(i++, run.principal());
    p.setLong(i++, run.createdAt().toEpochMilli());
    setInstant(p, i++, run.startedAt());
    setInstant(p, i++, run.finishedAt());
    setLong(p, i++, run.elapsedMs());
    setLong(p, i++, run.rowCount());
    p.setString(i++, run.saved() == null ? null : write(savedJson(run.saved())));
    p.setString(i++, run.error() == null ? null : write(errorJson(run.error())));
    p.setString(i++, run.logs() == null ? null : write(logJson(run.logs())));
    p.setString(i++, run.resultFile());
    setInstant(p, i++, run.resultExpiresAt());
    p.setString(i++, run.plan());
    p.setInt(i++, run.maxRows());
    p.setLong(i++, run.maxResultBytes());
    return i;
  }

  private static RunRecord read(ResultSet r) throws SQLException {
    String runId = r.getString("run_id");
    return new RunRecord(
        runId,
        RunStatus.valueOf(r.getString("status")),
        r.getString("mode"),
        r.getString("catalog"),
        r.getString("destination"),
        r.getString("principal"),
        Instant.ofEpochMilli(r.getLong("created_at")),
        instant(r, "started_at"),
        instant(r, "finished_at"),
        longOrNull(r, "elapsed_ms"),
        longOrNull(r, "row_count"),
        saved(r.getString("saved_json")),
        error(r.getString("error_json"), runId),
        logs(r.getString("logs")),
        r.getString("result_file"),
        instant(r, "result_expires_at"),
        r.getString("plan_json"),
        r.getInt("max_rows"),
        r.getLong("max_result_bytes"));
  }

  private static Map<String, Object> savedJson(SaveOutcome saved) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("table", saved.table().toString());
    m.put("rows_written", saved.rowsWritten());
    m.put("mode", saved.mode());
    m.put("snapshot_id", saved.snapshotId());
    m.put("created", saved.created());
    return m;
  }

  private static SaveOutcome saved(String json) {
    if (json == null) {
      return null;
    }
    Map<?, ?> m = parse(json);
    return new SaveOutcome(
        TableName.parse((String) m.get("table"), "saved table"),
        ((Number) m.get("rows_written")).longValue(),
        (String) m.get("mode"),
        (String) m.get("snapshot_id"),
        Boolean.TRUE.equals(m.get("created")));
  }

  private static Map<String, Object> logJson(BoundedLog.Snapshot log) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("head", Base64.getEncoder().encodeToString(log.head()));
    m.put("dropped", log.dropped());
    m.put("tail", Base64.getEncoder().encodeToString(log.tail()));
    return m;
  }

  private static BoundedLog.Snapshot logs(String json) {
    if (json == null) {
      return null;
    }
    Map<?, ?> m = parse(json);
    return new BoundedLog.Snapshot(
        Base64.getDecoder().decode((String) m.get("head")),
        ((Number) m.get("dropped")).longValue(),
        Base64.getDecoder().decode((String) m.get("tail")));
  }

  private static Map<String, Object> errorJson(FloeException e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("code", e.code().name());
    m.put("message", e.getMessage());
    m.put("details", e.details());
    m.put("diagnostics", e.diagnostics());
    return m;
  }

  private static FloeException error(String json, String runId) {
    if (json == null) {
      return null;
    }
    try {
      StoredError stored = JSON.readValue(json, StoredError.class);
      return new FloeException(
              ErrorCode.valueOf(stored.code()),
              stored.message(),
              stored.details(),
              stored.diagnostics())
          .inRun(runId);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return new FloeException(
              ErrorCode.INTERNAL, "The run failed; its error record is unreadable.")
          .inRun(runId);
    }
  }

  private record StoredError(
      String code, String message, String details, Diagnostics diagnostics) {}

  private static Map<?, ?> parse(String json) {
    try {
      return JSON.readValue(json, Map.class);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void setInstant(PreparedStatement p, int i, Instant value) throws SQLException {
    setLong(p, i, value == null ? null : value.toEpochMilli());
  }

  private static void setLong(PreparedStatement p, int i, Long value) throws SQLException {
    if (value == null) {
      p.setNull(i, Types.BIGINT);
    } else {
      p.setLong(i, value);
    }
  }

  private static Instant instant(ResultSet r, String column) throws SQLException {
    Long value = longOrNull(r, column);
    return value == null ? null : Instant.ofEpochMilli(value);
  }

  private static Long longOrNull(ResultSet r, String column) throws SQLException {
    long value = r.getLong(column);
    return r.wasNull() ? null : value;
  }

  private static IllegalStateException failed(String what, SQLException e) {
    return new IllegalStateException("Cannot " + what + " in the run store", e);
  }
}
