package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;
import java.util.Optional;

/** How many runs execute at once and how many may wait; beyond that, clients get 429 BUSY. */
@ConfigMapping(prefix = "floe.runners")
public interface RunnersConfig {
  /** Runs executing at once. Default: the number of cores. */
  Optional<@Positive Integer> maxConcurrent();

  /** Runs waiting for a runner; one more is refused with 429 BUSY and Retry-After. */
  @WithDefault("64")
  @Positive
  int queueSize();

  /**
   * Runners kept started and ready for the next runs (isolated, libraries imported, no job, no
   * table), refilled in the background as runs take them. Default: one per concurrent run.
   */
  Optional<@jakarta.validation.constraints.PositiveOrZero Integer> warm();

  default int warmRunners() {
    return warm().orElse(concurrency());
  }

  default int concurrency() {
    return maxConcurrent().orElse(Runtime.getRuntime().availableProcessors());
  }
}
