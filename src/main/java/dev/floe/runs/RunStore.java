package dev.floe.runs;

import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Run records in the run database: one row per run, from the moment it is accepted. */
@Singleton
public class RunStore {
  private static final List<String> COLUMNS =
      List.of(
          "run_id",
          "status",
          "mode",
          "catalog",
          "destination",
          "principal",
          "created_at",
          "started_at",
          "finished_at",
          "elapsed_ms",
          "row_count",
          "saved_json",
          "error_json",
          "logs",
          "result_file",
          "result_expires_at",
          "plan_json",
          "max_rows",
          "max_result_bytes",
          "commit_started");
  private static final String SELECT = "SELECT " + String.join(", ", COLUMNS) + " FROM floe_runs";

  private final RunDatabase database;
  private final RunJsonCodec json;

  public RunStore(RunDatabase database, RunJsonCodec json) {
    this.database = database;
    this.json = json;
  }

  public void insert(RunRecord run) {
    database.transaction("record run " + run.runId(), db -> insert(db, run));
  }

  /** Inserts within the caller's transaction. */
  int insert(Connection db, RunRecord run) throws SQLException {
    String marks = "?,".repeat(COLUMNS.size() - 1) + "?";
    try (PreparedStatement p =
        db.prepareStatement(
            "INSERT INTO floe_runs (" + String.join(", ", COLUMNS) + ") VALUES (" + marks + ")")) {
      p.setString(1, run.runId());
      bind(p, 2, run);
      return p.executeUpdate();
    }
  }

  /** Replaces a run's record (its status changed). */
  public void update(RunRecord run) {
    String set = String.join("=?, ", COLUMNS.subList(1, COLUMNS.size())) + "=?";
    database.transaction(
        "update run " + run.runId(),
        db -> {
          try (PreparedStatement p =
              db.prepareStatement("UPDATE floe_runs SET " + set + " WHERE run_id=?")) {
            p.setString(bind(p, 1, run), run.runId());
            return p.executeUpdate();
          }
        });
  }

  public void delete(String runId) {
    database.transaction("delete run " + runId, db -> delete(db, runId));
  }

  int delete(Connection db, String runId) throws SQLException {
    try (PreparedStatement p = db.prepareStatement("DELETE FROM floe_runs WHERE run_id=?")) {
      p.setString(1, runId);
      return p.executeUpdate();
    }
  }

  public Optional<RunRecord> get(String runId) {
    return database.transaction("read run " + runId, db -> get(db, runId));
  }

  Optional<RunRecord> get(Connection db, String runId) throws SQLException {
    try (PreparedStatement p = db.prepareStatement(SELECT + " WHERE run_id=?")) {
      p.setString(1, runId);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? Optional.of(read(r)) : Optional.empty();
      }
    }
  }

  /** Newest first; {@code status} null for all. */
  public List<RunRecord> list(RunStatus status, int limit) {
    String where = status == null ? "" : " WHERE status=?";
    return database.transaction(
        "list runs",
        db -> {
          try (PreparedStatement p =
              db.prepareStatement(SELECT + where + " ORDER BY created_at DESC LIMIT ?")) {
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
          }
        });
  }

  /**
   * Runs a previous service process left queued or running can never finish: they read failed,
   * "service restarted". Returns how many.
   */
  public int failInFlight(Instant now) {
    List<RunRecord> stranded = new ArrayList<>();
    for (RunStatus status : List.of(RunStatus.QUEUED, RunStatus.RUNNING)) {
      stranded.addAll(list(status, Integer.MAX_VALUE));
    }
    for (RunRecord run : stranded) {
      update(run.failed(now, null, restarted(run), run.logs()));
    }
    return stranded.size();
  }

  private static FloeException restarted(RunRecord run) {
    String was = "The service restarted while run " + run.runId() + " was ";
    String message =
        run.commitStarted()
            ? was
                + "saving to "
                + run.destination()
                + ", so the save may or may not have landed; check the table's latest snapshot"
                + " before you run it again."
            : was + run.status().wire() + "; nothing was saved. Run it again.";
    return new FloeException(ErrorCode.INTERNAL, message).inRun(run.runId());
  }

  /**
   * Kept results past their time: the caller deletes the files, then calls {@link #forgetResult}.
   */
  public Map<String, String> expiredResults(Instant now) {
    return database.transaction(
        "find expired results",
        db -> {
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
          }
          return expired;
        });
  }

  /** The run's kept result is gone. */
  public void forgetResult(String runId) {
    database.transaction(
        "forget the result of run " + runId,
        db -> {
          try (PreparedStatement p =
              db.prepareStatement(
                  "UPDATE floe_runs SET result_file=NULL, result_expires_at=NULL WHERE run_id=?")) {
            p.setString(1, runId);
            return p.executeUpdate();
          }
        });
  }

  /** Every result file a record still points at. */
  public List<String> keptResults() {
    return database.transaction(
        "list kept results",
        db -> {
          List<String> files = new ArrayList<>();
          try (PreparedStatement p =
                  db.prepareStatement(
                      "SELECT result_file FROM floe_runs WHERE result_file IS NOT NULL");
              ResultSet r = p.executeQuery()) {
            while (r.next()) {
              files.add(r.getString(1));
            }
          }
          return files;
        });
  }

  /** Drops finished records older than {@code before} whose result is gone. Returns how many. */
  public int prune(Instant before) {
    return database.transaction(
        "prune old runs",
        db -> {
          try (PreparedStatement p =
              db.prepareStatement(
                  "DELETE FROM floe_runs WHERE finished_at IS NOT NULL AND finished_at < ? AND"
                      + " result_file IS NULL")) {
            p.setLong(1, before.toEpochMilli());
            return p.executeUpdate();
          }
        });
  }

  private int bind(PreparedStatement p, int i, RunRecord run) throws SQLException {
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
    p.setString(i++, json.saved(run.saved()));
    p.setString(i++, json.error(run.error()));
    p.setString(i++, json.logs(run.logs()));
    p.setString(i++, run.resultFile());
    setInstant(p, i++, run.resultExpiresAt());
    p.setString(i++, run.plan());
    p.setInt(i++, run.maxRows());
    p.setLong(i++, run.maxResultBytes());
    p.setInt(i++, run.commitStarted() ? 1 : 0);
    return i;
  }

  private RunRecord read(ResultSet r) throws SQLException {
    String runId = r.getString("run_id");
    RunStatus status = RunStatus.valueOf(r.getString("status"));
    RunRecord.Asked asked =
        new RunRecord.Asked(
            r.getString("mode"),
            r.getString("catalog"),
            r.getString("destination"),
            r.getString("principal"),
            Instant.ofEpochMilli(r.getLong("created_at")),
            r.getInt("max_rows"),
            r.getLong("max_result_bytes"));
    Instant finished = instant(r, "finished_at");
    RunRecord.Ending ending = null;
    if (finished != null) {
      RunRecord.Output output =
          status != RunStatus.SUCCEEDED
              ? null
              : new RunRecord.Output(
                  longOrNull(r, "row_count"),
                  json.saved(r.getString("saved_json")),
                  r.getString("plan_json"),
                  r.getString("result_file"),
                  instant(r, "result_expires_at"));
      ending =
          new RunRecord.Ending(
              finished,
              longOrNull(r, "elapsed_ms"),
              json.logs(r.getString("logs")),
              json.error(r.getString("error_json"), runId),
              output);
    }
    return new RunRecord(
        runId, status, asked, instant(r, "started_at"), r.getInt("commit_started") != 0, ending);
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
}
