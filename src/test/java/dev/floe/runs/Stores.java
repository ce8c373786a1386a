package dev.floe.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The run database with its record and claim stores (SQLite or PostgreSQL), wired by hand. */
record Stores(RunDatabase database, RunStore store, IdempotencyClaims claims)
    implements AutoCloseable {

  /** This test's replica: every store the tests open is this one process's. */
  static final Replica REPLICA = new Replica("test-replica", "http://127.0.0.1:1");

  static Stores open(String jdbcUrl) {
    return open(jdbcUrl, REPLICA);
  }

  /** The stores as replica {@code self} sees them. */
  static Stores open(String jdbcUrl, Replica self) {
    RunDatabase database = RunDatabase.open(jdbcUrl);
    RunStore store = new RunStore(database, new RunJsonCodec(new ObjectMapper()), self);
    return new Stores(database, store, new IdempotencyClaims(database, store));
  }

  /** A queued query run saving to ns.out, as the store tests use it. */
  static RunRecord queued(String id, Instant at) {
    return RunRecord.queued(
        id,
        new RunRecord.Asked(
            "query",
            null,
            "ns.out",
            "anonymous",
            at,
            10,
            100,
            "4bf92f3577b34da6a3ce929d0e0e4736",
            new RunRecord.Request("SELECT x FROM t", List.of("t=ns.t"), Map.of("limit", 5))));
  }

  @Override
  public void close() {
    database.close();
  }
}
