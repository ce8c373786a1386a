package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** How results are saved to tables. */
@ConfigMapping(prefix = "floe.save")
public interface SaveConfig {
  /**
   * Create a missing destination namespace. Default: true on the embedded lake, false on other
   * catalogs (where namespaces are usually governed).
   */
  Optional<Boolean> createNamespaces();
}
