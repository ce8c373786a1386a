package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The run records: where they are kept and for how long. */
@ConfigMapping(prefix = "floe.runs")
public interface RunsConfig {
  /**
   * JDBC URL of the run store: {@code jdbc:sqlite:<file>} or {@code
   * jdbc:postgresql://<host>[:<port>]/<database>}. Default: SQLite at {@code <floe.home>/runs.db}.
   */
  Optional<String> storeUrl();

  /** The run store's database user, unless the URL names it (PostgreSQL). */
  Optional<String> storeUser();

  /**
   * The run store's database password, unless the URL holds it (PostgreSQL); best given as the
   * environment variable {@code FLOE_RUNS_STORE_PASSWORD}. Never logged.
   */
  Optional<String> storePassword();

  /** How long a kept result (asynchronous runs, runs with an Idempotency-Key) stays readable. */
  @WithDefault("PT1H")
  Duration resultTtl();

  /** How long a finished run's record (status, error, logs, what it saved) stays listed. */
  @WithDefault("P7D")
  Duration retention();

  /** How long an Idempotency-Key is remembered. */
  @WithDefault("PT24H")
  Duration idempotencyTtl();

  /** How often expired results, records and keys are removed. */
  @WithDefault("PT1M")
  Duration sweepInterval();
}
