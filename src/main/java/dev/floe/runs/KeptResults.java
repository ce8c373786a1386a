package dev.floe.runs;

import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run store's side of result retention: the results the records point at, those past their
 * time, and finished records old enough to go.
 */
@Singleton
public class KeptResults {
  private final RunDatabase database;

  public KeptResults(RunDatabase database) {
    this.database = database;
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
