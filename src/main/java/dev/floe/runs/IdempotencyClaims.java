package dev.floe.runs;

import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Idempotency keys in the run database: which run a key belongs to, and the request it came with. A
 * key is claimed in the same transaction that records its run, so whoever finds the claim also
 * finds the run.
 */
@Singleton
public class IdempotencyClaims {
  private final RunDatabase database;
  private final RunStore runs;

  /** A key already claimed: the body it came with and the run it belongs to. */
  public record Claim(String bodyHash, String runId) {}

  public IdempotencyClaims(RunDatabase database, RunStore runs) {
    this.database = database;
    this.runs = runs;
  }

  /**
   * Records {@code queued} and claims {@code key} for it, in one transaction, unless a live claim
   * holds the key: then that claim is returned and nothing is recorded. Claims older than {@code
   * since} are dead and replaced. A claim whose run failed inside Floe ({@link
   * RunRecord#failedInsideFloe}) passes to the new run when the same request comes again.
   */
  public Optional<Claim> claim(String key, String bodyHash, RunRecord queued, Instant since) {
    long now = queued.createdAt().toEpochMilli();
    return database.transaction(
        "claim an idempotency key",
        db -> {
          Optional<Claim> live = find(db, key, since);
          if (live.isPresent()) {
            Claim held = live.get();
            boolean runAgain =
                held.bodyHash().equals(bodyHash)
                    && runs.get(db, held.runId()).map(RunRecord::failedInsideFloe).orElse(false);
            if (!runAgain) {
              return live;
            }
          }
          put(db, key, bodyHash, queued.runId(), now);
          runs.insert(db, queued);
          return Optional.empty();
        });
  }

  /** A run that was never accepted (the queue was full): its record goes, and its key is free. */
  public void withdraw(String key, String runId) {
    database.transaction(
        "withdraw run " + runId,
        db -> {
          runs.delete(db, runId);
          if (key != null) {
            try (PreparedStatement p =
                db.prepareStatement("DELETE FROM floe_idempotency WHERE idem_key=? AND run_id=?")) {
              p.setString(1, key);
              p.setString(2, runId);
              p.executeUpdate();
            }
          }
          return null;
        });
  }

  /** Forgets keys claimed before {@code before}. Returns how many. */
  public int prune(Instant before) {
    return database.transaction(
        "prune idempotency keys",
        db -> {
          try (PreparedStatement p =
              db.prepareStatement("DELETE FROM floe_idempotency WHERE created_at < ?")) {
            p.setLong(1, before.toEpochMilli());
            return p.executeUpdate();
          }
        });
  }

  private static Optional<Claim> find(Connection db, String key, Instant since)
      throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT body_hash, run_id, created_at FROM floe_idempotency WHERE idem_key=?")) {
      p.setString(1, key);
      try (ResultSet r = p.executeQuery()) {
        if (r.next() && r.getLong(3) >= since.toEpochMilli()) {
          return Optional.of(new Claim(r.getString(1), r.getString(2)));
        }
      }
    }
    return Optional.empty();
  }

  /** The key now belongs to {@code runId} (replacing a dead claim, or one whose run may rerun). */
  private static void put(Connection db, String key, String bodyHash, String runId, long now)
      throws SQLException {
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
      put.setLong(4, now);
      put.executeUpdate();
    }
  }
}
