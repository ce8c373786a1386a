package dev.floe.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.floe.config.RunsConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** The run database with its record and claim stores over one SQLite file, wired by hand. */
record TestStores(RunDatabase database, RunStore store, IdempotencyClaims claims)
    implements AutoCloseable {

  static TestStores open(String jdbcUrl) {
    RunDatabase database = RunDatabase.open(jdbcUrl);
    RunStore store = new RunStore(database, new RunJsonCodec(new ObjectMapper()));
    return new TestStores(database, store, new IdempotencyClaims(database, store));
  }

  /** A queued query run saving to ns.out, as the store tests use it. */
  static RunRecord queued(String id, Instant at) {
    return RunRecord.queued(
        id, new RunRecord.Asked("query", null, "ns.out", "anonymous", at, 10, 100));
  }

  /** floe.runs.* with the given TTLs (the store URL is not read by the parts under test). */
  static RunsConfig config(Duration resultTtl, Duration retention, Duration idempotencyTtl) {
    return new RunsConfig() {
      @Override
      public Optional<String> storeUrl() {
        return Optional.empty();
      }

      @Override
      public Duration resultTtl() {
        return resultTtl;
      }

      @Override
      public Duration retention() {
        return retention;
      }

      @Override
      public Duration idempotencyTtl() {
        return idempotencyTtl;
      }

      @Override
      public Duration sweepInterval() {
        return Duration.ofMinutes(1);
      }
    };
  }

  @Override
  public void close() {
    database.close();
  }
}
