package dev.floe.auth;

import dev.floe.runs.RunDatabase;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.jboss.logging.Logger;

/**
 * Keeps this replica's copies of the API keys and grants the same as the store's: every change to
 * them, on any replica, moves {@code floe_auth_version} on in its own transaction, and each replica
 * reads that version every {@code floe.replica.heartbeat-interval} and reloads both when it moved.
 * A key revoked on one replica is refused by all of them within that interval (at once by the
 * replica that revoked it).
 */
@Singleton
public class AuthRefresh {
  private static final Logger LOG = Logger.getLogger(AuthRefresh.class);

  private final RunDatabase database;
  private final ApiKeys keys;
  private final Grants grants;
  private long seen = -1;

  public AuthRefresh(RunDatabase database, ApiKeys keys, Grants grants) {
    this.database = database;
    this.keys = keys;
    this.grants = grants;
  }

  /** Within a transaction that changes keys or grants: the other replicas will reload them. */
  static void changed(Connection db) throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement("UPDATE floe_auth_version SET version = version + 1 WHERE id = 1")) {
      p.executeUpdate();
    }
  }

  @Scheduled(
      identity = "floe-auth-refresh",
      every = "${floe.replica.heartbeat-interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.warnf("Cannot check the store for changed API keys or grants (%s); will try again", e);
    }
  }

  /** Reloads the keys and grants if they changed since the last look; true if they did. */
  public synchronized boolean refresh() {
    long version =
        database
            .rows(
                "read the version of the keys and grants",
                "SELECT version FROM floe_auth_version WHERE id = 1",
                r -> r.getLong(1))
            .stream()
            .findFirst()
            .orElse(0L);
    if (version == seen) {
      return false;
    }
    keys.reload();
    grants.reload();
    seen = version;
    return true;
  }
}
