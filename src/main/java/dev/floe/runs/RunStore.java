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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Run records in the run database: one row per run, from the moment it is accepted, owned by the
 * replica that accepted it. Only its owner moves a run in flight on, and only while it is in
 * flight: once another replica recorded it failed (its owner was lost), the owner's later steps
 * change nothing, and a save it had not begun to commit is not committed.
 */
@Singleton
public class RunStore {
  private static final String SELECT =
      "SELECT " + String.join(", ", RunRows.COLUMNS) + " FROM floe_runs";
  private static final String SUMMARIES =
      "SELECT " + String.join(", ", RunRows.SUMMARY) + " FROM floe_runs";

  static final String IN_FLIGHT = "status IN ('QUEUED', 'RUNNING')";

  private final RunDatabase database;
  private final RunRows rows;
  private final Replica self;

  public RunStore(RunDatabase database, RunJsonCodec json, Replica self) {
    this.database = database;
    this.rows = new RunRows(json);
    this.self = self;
  }

  /** This process, the owner of the runs it records. */
  public Replica self() {
    return self;
  }

  public void insert(RunRecord run) {
    insert(run, db -> null);
  }

  /** Records a new run, if {@code admit} (run first, in the same transaction) lets it in. */
  public void insert(RunRecord run, RunDatabase.Work<Void> admit) {
    database.transaction(
        "record run " + run.runId(),
        db -> {
          admit.on(db);
          return insert(db, run);
        });
  }

  /** Inserts within the caller's transaction. */
  int insert(Connection db, RunRecord run) throws SQLException {
    String marks = "?,".repeat(RunRows.COLUMNS.size() - 1) + "?";
    try (PreparedStatement p =
        db.prepareStatement(
            "INSERT INTO floe_runs ("
                + String.join(", ", RunRows.COLUMNS)
                + ", replica_id) VALUES ("
                + marks
                + ", ?)")) {
      p.setString(1, run.runId());
      p.setString(rows.bind(p, 2, run), self.id());
      return p.executeUpdate();
    }
  }

  /**
   * Replaces the record of a run of this replica that is still in flight (its status changed);
   * false, changing nothing, if it is not in flight in the store any more: another replica took
   * this one for lost and recorded the run failed.
   */
  public boolean update(RunRecord run) {
    return database.transaction(
            "update run " + run.runId(),
            db -> replace(db, run, " AND replica_id=? AND " + IN_FLIGHT, self.id()))
        > 0;
  }

  /**
   * Replaces the run's record where it still meets {@code condition} (an SQL fragment after the run
   * id, its parameters {@code bound}, strings or integers); returns how many rows changed.
   */
  private int replace(Connection db, RunRecord run, String condition, Object... bound)
      throws SQLException {
    String set = String.join("=?, ", RunRows.COLUMNS.subList(1, RunRows.COLUMNS.size())) + "=?";
    try (PreparedStatement p =
        db.prepareStatement("UPDATE floe_runs SET " + set + " WHERE run_id=?" + condition)) {
      int i = rows.bind(p, 1, run);
      p.setString(i++, run.runId());
      for (Object value : bound) {
        if (value instanceof Integer number) {
          p.setInt(i++, number);
        } else {
          p.setString(i++, (String) value);
        }
      }
      return p.executeUpdate();
    }
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

  /**
   * Newest first; {@code status} null for all, {@code principal} null for everyone's. Each is a
   * summary: without its logs, request and profile (read one run with {@link #get}), and with an
   * empty plan for a dry run's.
   */
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
              db.prepareStatement(SUMMARIES + filter + " ORDER BY created_at DESC LIMIT ?")) {
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
   * Runs this replica's previous process (same replica id), or a Floe from before replicas, left
   * queued or running can never finish: they read failed, "service restarted". Returns how many.
   */
  public int failInFlight(Instant now) {
    return failStranded(
        "(replica_id=? OR replica_id IS NULL)",
        List.of(self.id()),
        run -> stranded(run, "The service restarted while run " + run.runId() + " was "),
        now);
  }

  /**
   * Runs in flight whose replica has no row on the store (it was taken for lost, or stopped without
   * ending them) can never finish: they read failed, "replica lost". Returns how many.
   */
  public int failOrphans(Instant now) {
    // One statement reads the runs and the replicas: a run found here was accepted by a replica
    // whose row, written before the run's, is found too if that replica is alive.
    return failStranded(
        "(replica_id IS NULL OR replica_id NOT IN (SELECT replica_id FROM floe_replicas))",
        List.of(),
        run ->
            stranded(
                run,
                "The replica running run "
                    + run.runId()
                    + " stopped answering (replica lost) while the run was "),
        now);
  }

  /**
   * Runs still in flight whose recorded end got lost: this replica removed them from its runs in
   * flight (they ended) but could not record their end (the store failed at that moment). They read
   * failed, as failures inside Floe. {@code inFlight}: the ids this replica runs now, read after
   * this call began (a run is in that set before its row exists, and leaves it after its end is
   * recorded).
   */
  public int failUnrecorded(Supplier<Set<String>> inFlight, Instant now) {
    return failStranded(
        "replica_id=?",
        List.of(self.id()),
        run ->
            stranded(
                run,
                "Run "
                    + run.runId()
                    + " ended, but the run store could not record its end while it was "),
        now,
        inFlight);
  }

  private int failStranded(
      String owners, List<String> bound, Function<RunRecord, FloeException> why, Instant now) {
    return failStranded(owners, bound, why, now, Set::of);
  }

  /**
   * Fails the runs in flight that {@code owners} selects, except those {@code spared} holds (read
   * after the runs were). Each is failed only if its row is still as read: a run whose owner moved
   * it meanwhile (it began to commit its save, say) is left for the next look, so its record never
   * loses that.
   */
  private int failStranded(
      String owners,
      List<String> bound,
      Function<RunRecord, FloeException> why,
      Instant now,
      Supplier<Set<String>> spared) {
    return database.transaction(
        "fail stranded runs",
        db -> {
          List<RunRecord> stranded = new ArrayList<>();
          try (PreparedStatement p =
              db.prepareStatement(SELECT + " WHERE " + IN_FLIGHT + " AND " + owners)) {
            for (int i = 0; i < bound.size(); i++) {
              p.setString(i + 1, bound.get(i));
            }
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                stranded.add(rows.read(r));
              }
            }
          }
          Set<String> keep = spared.get();
          int failed = 0;
          for (RunRecord run : stranded) {
            if (keep.contains(run.runId())) {
              continue;
            }
            failed +=
                replace(
                    db,
                    run.failed(now, null, why.apply(run), run.logs()),
                    " AND status=? AND commit_started=?",
                    run.status().name(),
                    run.commitStarted() ? 1 : 0);
          }
          return failed;
        });
  }

  private static FloeException stranded(RunRecord run, String was) {
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
}
