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
    return claim(key, bodyHash, queued, since, db -> null);
  }

  /**
   * As {@link #claim(String, String, RunRecord, Instant)}, {@code admit} deciding (in the same
   * transaction, before the run is recorded) whether a new run may be recorded at all. Two replicas
   * that claim one key at once both find it free; the second to commit fails on the key, and its
   * claim is made once more, finding the first's.
   */
  public Optional<Claim> claim(
      String key, String bodyHash, RunRecord queued, Instant since, RunDatabase.Work<Void> admit) {
    for (int attempt = 1; ; attempt++) {
      try {
        return claimOnce(key, bodyHash, queued, since, admit);
      } catch (IllegalStateException e) {
        if (!RunDatabase.duplicateKey(e) || attempt == 3) {
          throw e;
        }
      }
    }
  }

  private Optional<Claim> claimOnce(
      String key, String bodyHash, RunRecord queued, Instant since, RunDatabase.Work<Void> admit) {
    long now = queued.createdAt().toEpochMilli();
    return database.transaction(
        "claim an idempotency key",
        db -> {
          Optional<Stored> stored = find(db, key);
          String replacing = null;
          if (stored.isPresent()) {
            Stored held = stored.get();
            boolean dead = held.createdAt() < since.toEpochMilli();
            boolean runAgain =
                held.claim().bodyHash().equals(bodyHash)
                    && runs.get(db, held.claim().runId())
                        .map(RunRecord::failedInsideFloe)
                        .orElse(false);
            if (!dead && !runAgain) {
              return Optional.of(held.claim());
            }
            replacing = held.claim().runId();
          }
          admit.on(db);
          put(db, key, bodyHash, queued.runId(), now, replacing);
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

  /** A claim as stored, with when it was made. */
  private record Stored(Claim claim, long createdAt) {}

  private static Optional<Stored> find(Connection db, String key) throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT body_hash, run_id, created_at FROM floe_idempotency WHERE idem_key=?")) {
      p.setString(1, key);
      try (ResultSet r = p.executeQuery()) {
        if (r.next()) {
          return Optional.of(new Stored(new Claim(r.getString(1), r.getString(2)), r.getLong(3)));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The key now belongs to {@code runId}, replacing the claim of run {@code replacing} (a dead
   * claim, or one whose run may run again) unless that is null. Fails as a duplicate key when
   * another transaction claimed the key meanwhile (inserted it, or replaced the claim first), so
   * that the claim is made again and finds theirs: a claim is only ever replaced by the one that
   * judged it replaceable, never one that another transaction made a moment ago.
   */
  private static void put(
      Connection db, String key, String bodyHash, String runId, long now, String replacing)
      throws SQLException {
    if (replacing != null) {
      try (PreparedStatement dead =
          db.prepareStatement("DELETE FROM floe_idempotency WHERE idem_key=? AND run_id=?")) {
        dead.setString(1, key);
        dead.setString(2, replacing);
        if (dead.executeUpdate() == 0) {
          throw new SQLException("another request claimed key " + key + " meanwhile", "23505");
        }
      }
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
