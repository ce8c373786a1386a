package dev.floe.runs;

import dev.floe.error.ErrorCode;
import dev.floe.error.FloeException;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Run records in the run database: one row per run, from the moment it is accepted. */
@Singleton
public class RunStore {
  private static final String SELECT =
      "SELECT " + String.join(", ", RunRows.COLUMNS) + " FROM floe_runs";

  private final RunDatabase database;
  private final RunRows rows;

  public RunStore(RunDatabase database, RunJsonCodec json) {
    this.database = database;
    this.rows = new RunRows(json);
  }

  public void insert(RunRecord run) {
    database.transaction("record run " + run.runId(), db -> insert(db, run));
  }

  /** Inserts within the caller's transaction. */
  int insert(Connection db, RunRecord run) throws SQLException {
    String marks = "?,".repeat(RunRows.COLUMNS.size() - 1) + "?";
    try (PreparedStatement p =
        db.prepareStatement(
            "INSERT INTO floe_runs ("
                + String.join(", ", RunRows.COLUMNS)
                + ") VALUES ("
                + marks
                + ")")) {
      p.setString(1, run.runId());
      rows.bind(p, 2, run);
      return p.executeUpdate();
    }
  }

  /** Replaces a run's record (its status changed). */
  public void update(RunRecord run) {
    String set = String.join("=?, ", RunRows.COLUMNS.subList(1, RunRows.COLUMNS.size())) + "=?";
    database.transaction(
        "update run " + run.runId(),
        db -> {
          try (PreparedStatement p =
              db.prepareStatement("UPDATE floe_runs SET " + set + " WHERE run_id=?")) {
            p.setString(rows.bind(p, 1, run), run.runId());
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
        return r.next() ? Optional.of(rows.read(r)) : Optional.empty();
      }
    }
  }

  /** Newest first; {@code status} null for all, {@code principal} null for everyone's. */
  public List<RunRecord> list(RunStatus status, String principal, int limit) {
    List<String> where = new ArrayList<>();
    if (status != null) {
      where.add("status=?");
    }
    if (principal != null) {
      where.add("principal=?");
    }
    String filter = where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
    return database.transaction(
        "list runs",
        db -> {
          try (PreparedStatement p =
              db.prepareStatement(SELECT + filter + " ORDER BY created_at DESC LIMIT ?")) {
            int i = 1;
            if (status != null) {
              p.setString(i++, status.name());
            }
            if (principal != null) {
              p.setString(i++, principal);
            }
            p.setInt(i, limit);
            List<RunRecord> runs = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                runs.add(rows.read(r));
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
      stranded.addAll(list(status, null, Integer.MAX_VALUE));
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
    return database.rows(
        "list kept results",
        "SELECT result_file FROM floe_runs WHERE result_file IS NOT NULL",
        r -> r.getString(1));
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
}
