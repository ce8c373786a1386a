package dev.floe.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The local copies of object-store tables' files that runs read ({@code floe.home/object-cache}):
 * how large the cache may grow, and how often it is trimmed.
 */
@ConfigMapping(prefix = "floe.object-cache")
public interface ObjectCacheConfig {
  /**
   * The most the cache may hold; above it, the files used longest ago are removed until it holds at
   * most 80% of this (a removed file is fetched again by the next run that needs it).
   */
  @WithDefault("10G")
  MemorySize maxSize();

  /** How often the cache's size is checked. */
  @WithDefault("PT5M")
  Duration sweepInterval();
}
