package dev.floe.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;

/** The run database with its record and claim stores (SQLite or PostgreSQL), wired by hand. */
record Stores(RunDatabase database, RunStore store, IdempotencyClaims claims)
    implements AutoCloseable {

  static Stores open(String jdbcUrl) {
    RunDatabase database = RunDatabase.open(jdbcUrl);
    RunStore store = new RunStore(database, new RunJsonCodec(new ObjectMapper()));
    return new Stores(database, store, new IdempotencyClaims(database, store));
  }

  /** A queued query run saving to ns.out, as the store tests use it. */
  static RunRecord queued(String id, Instant at) {
    return RunRecord.queued(
        id, new RunRecord.Asked("query", null, "ns.out", "anonymous", at, 10, 100));
  }

  @Override
  public void close() {
    database.close();
  }
}
