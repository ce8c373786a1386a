package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.Optional;

/** How results are saved to tables. */
@ConfigMapping(prefix = "floe.save")
public interface SaveConfig {
  /**
   * Create a missing destination namespace. Default: true on the embedded lake, false on other
   * catalogs (where namespaces are usually governed).
   */
  Optional<Boolean> createNamespaces();

  /** Long-lived trusted writer processes: how many saves can commit at the same time. */
  @WithDefault("2")
  @Min(1)
  int writers();

  /**
   * How long one save's commit may take in its trusted writer; past it the writer is killed (and
   * replaced) and the save fails with INTERNAL, nothing committed.
   */
  @WithDefault("PT10M")
  Duration writerTimeout();

  /** Fresh starts of a commit that keeps losing the optimistic race, then COMMIT_CONFLICT. */
  @WithDefault("10")
  @Min(1)
  @Max(100)
  int commitAttempts();
}
