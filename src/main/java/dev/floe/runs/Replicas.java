package dev.floe.runs;

import dev.floe.config.ReplicaConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The replicas of the service on one run store, as this one sees them. Each records a heartbeat in
 * {@code floe_replicas} every {@code floe.replica.heartbeat-interval}; a replica whose heartbeat
 * this one has seen stand still for {@code floe.replica.lease} is lost: its row is removed and its
 * runs in flight read failed, "replica lost" (a retry with the same Idempotency-Key then runs
 * again, unless the run had begun to commit a save).
 *
 * <p>A heartbeat is judged by how long it stood still on this replica's clock, never by comparing
 * its time with this clock: replicas whose clocks disagree do not take each other for lost. A
 * replica that finds its own row gone (it was taken for lost: a long pause, a store it could not
 * reach) registers again and stops its runs in flight, which the others recorded failed.
 */
@Singleton
public class Replicas {
  private static final Logger LOG = Logger.getLogger(Replicas.class);

  private final RunDatabase database;
  private final RunStore store;
  private final ActiveRuns active;
  private final Replica self;
  private final Duration lease;
  private final Clock clock;

  /** Each other replica's heartbeat as last read, and since when (this clock) it stood there. */
  private final Map<String, Seen> seen = new HashMap<>();

  private volatile boolean stopped;

  private final List<java.util.function.Consumer<String>> lostListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  private record Seen(long heartbeat, Instant since) {}

  public Replicas(
      RunDatabase database, RunStore store, ActiveRuns active, ReplicaConfig config, Clock clock) {
    this.database = database;
    this.store = store;
    this.active = active;
    this.self = store.self();
    this.lease = config.lease();
    this.clock = clock;
  }

  public Replica self() {
    return self;
  }

  /** Calls {@code listener} with the id of each replica this one takes for lost. */
  public void onLost(java.util.function.Consumer<String> listener) {
    lostListeners.add(listener);
  }

  /** Records this replica as alive (at start-up, before it accepts a run). */
  public void register() {
    long now = clock.millis();
    database.transaction(
        "register replica " + self.id(),
        db -> {
          deleteSelf(db);
          try (PreparedStatement p =
              db.prepareStatement(
                  "INSERT INTO floe_replicas (replica_id, address, started_at, heartbeat_at)"
                      + " VALUES (?,?,?,?)")) {
            p.setString(1, self.id());
            p.setString(2, self.address());
            p.setLong(3, now);
            p.setLong(4, now);
            return p.executeUpdate();
          }
        });
    LOG.infof("Replica %s registered on the run store, reachable at %s", self.id(), self.address());
  }

  /** This replica stops: its row goes (its runs were cancelled first), and its heartbeat. */
  public void deregister() {
    stopped = true;
    database.transaction("deregister replica " + self.id(), this::deleteSelf);
  }

  private int deleteSelf(Connection db) throws SQLException {
    try (PreparedStatement p =
        db.prepareStatement("DELETE FROM floe_replicas WHERE replica_id=?")) {
      p.setString(1, self.id());
      return p.executeUpdate();
    }
  }

  @Scheduled(
      identity = "floe-replica-heartbeat",
      every = "${floe.replica.heartbeat-interval}",
      delayed = "${floe.replica.heartbeat-interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void beatQuietly() {
    try {
      beat();
    } catch (RuntimeException e) {
      LOG.warnf("The replica heartbeat failed (%s); will try again", e.getMessage());
    }
  }

  /** One heartbeat: this replica's, then a look for replicas that are lost. */
  void beat() {
    if (stopped) {
      return; // a last scheduled beat after the stop must not bring the row back
    }
    long now = clock.millis();
    int updated =
        database.transaction(
            "record the heartbeat of replica " + self.id(),
            db -> {
              try (PreparedStatement p =
                  db.prepareStatement(
                      "UPDATE floe_replicas SET heartbeat_at=? WHERE replica_id=?")) {
                p.setLong(1, now);
                p.setString(2, self.id());
                return p.executeUpdate();
              }
            });
    if (updated == 0) {
      LOG.errorf(
          "Replica %s was taken for lost by another replica (its heartbeat stood still for %s s);"
              + " registering again. Its runs that were recorded failed meanwhile stop now.",
          self.id(), lease.toSeconds());
      register();
      for (ActiveRun run : active.all()) {
        // Only those another replica recorded failed: the rest go on (nobody failed them).
        boolean failedElsewhere =
            store.get(run.runId()).map(r -> r.status().isFinal()).orElse(true);
        if (failedElsewhere) {
          run.control().cancel();
        }
      }
    }
    sweep();
    int unrecorded = store.failUnrecorded(active::ids, clock.instant());
    if (unrecorded > 0) {
      LOG.warnf(
          "%d run(s) of this replica ended without their end recorded; now read failed",
          unrecorded);
    }
  }

  /** Removes the replicas whose heartbeat stood still for the lease, and fails their runs. */
  void sweep() {
    Instant now = clock.instant();
    Map<String, Long> heartbeats = new HashMap<>();
    database
        .rows(
            "read the replicas' heartbeats",
            "SELECT replica_id, heartbeat_at FROM floe_replicas",
            r -> Map.entry(r.getString(1), r.getLong(2)))
        .forEach(e -> heartbeats.put(e.getKey(), e.getValue()));
    seen.keySet().retainAll(heartbeats.keySet());
    for (Map.Entry<String, Long> replica : heartbeats.entrySet()) {
      String id = replica.getKey();
      if (id.equals(self.id())) {
        continue;
      }
      Seen before = seen.get(id);
      if (before == null || before.heartbeat() != replica.getValue()) {
        seen.put(id, new Seen(replica.getValue(), now));
      } else if (Duration.between(before.since(), now).compareTo(lease) >= 0
          && remove(id, replica.getValue())) {
        seen.remove(id);
        LOG.warnf(
            "Replica %s stopped its heartbeat over %s s ago: taken for lost; its runs in flight"
                + " now read failed",
            id, lease.toSeconds());
        // Off the heartbeat's thread: a slow listener must not make this replica look lost too.
        for (var listener : lostListeners) {
          java.util.concurrent.CompletableFuture.runAsync(() -> listener.accept(id))
              .exceptionally(
                  e -> {
                    LOG.warnf("after replica %s was lost: %s", id, e.getMessage());
                    return null;
                  });
        }
      }
    }
    int failed = store.failOrphans(now);
    if (failed > 0) {
      LOG.warnf("%d run(s) of lost replicas now read failed, \"replica lost\"", failed);
    }
  }

  /** Removes the replica's row if its heartbeat is still {@code heartbeat}; false if it moved. */
  private boolean remove(String id, long heartbeat) {
    return database.transaction(
            "remove lost replica " + id,
            db -> {
              try (PreparedStatement p =
                  db.prepareStatement(
                      "DELETE FROM floe_replicas WHERE replica_id=? AND heartbeat_at=?")) {
                p.setString(1, id);
                p.setLong(2, heartbeat);
                return p.executeUpdate();
              }
            })
        > 0;
  }

  /** The replicas alive on the store, as their rows say. */
  public List<Replica> live() {
    return database.rows(
        "list the replicas",
        "SELECT replica_id, address FROM floe_replicas ORDER BY replica_id",
        (ResultSet r) -> new Replica(r.getString(1), r.getString(2)));
  }

  /**
   * The replica that accepted run {@code runId} (it holds the run's live output while it runs, and
   * its kept result after), if that replica is alive; empty if it is gone, or there is no such run.
   */
  public Optional<Replica> liveOwner(String runId) {
    return database.transaction(
        "find the replica of run " + runId,
        db -> {
          try (PreparedStatement p =
              db.prepareStatement(
                  "SELECT p.replica_id, p.address FROM floe_runs r JOIN floe_replicas p ON"
                      + " r.replica_id = p.replica_id WHERE r.run_id=?")) {
            p.setString(1, runId);
            try (ResultSet r = p.executeQuery()) {
              return r.next()
                  ? Optional.of(new Replica(r.getString(1), r.getString(2)))
                  : Optional.<Replica>empty();
            }
          }
        });
  }

  /** A principal's runs queued or running: on this replica, and on the others. */
  record InFlight(int here, int elsewhere) {}

  /**
   * How many runs of {@code principal} are queued or running, here and on the other replicas; on
   * PostgreSQL the transaction holds the principal's lock from here to its end, so replicas
   * admitting runs of one principal at once count one after the other. (SQLite serves one replica.)
   */
  InFlight inFlightExclusively(Connection db, String principal) throws SQLException {
    if (database.dialect().equals("postgresql")) {
      try (PreparedStatement lock =
          db.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
        lock.setString(1, "floe-principal:" + principal);
        lock.execute();
      }
    }
    int here = 0;
    int elsewhere = 0;
    try (PreparedStatement p =
        db.prepareStatement(
            "SELECT replica_id, COUNT(*) FROM floe_runs WHERE principal=? AND "
                + RunStore.IN_FLIGHT
                + " GROUP BY replica_id")) {
      p.setString(1, principal);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          if (self.id().equals(r.getString(1))) {
            here += r.getInt(2);
          } else {
            elsewhere += r.getInt(2);
          }
        }
      }
    }
    return new InFlight(here, elsewhere);
  }
}
