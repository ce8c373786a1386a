package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/** Where Floe keeps its state: the embedded lake, the Python environments, run directories. */
@ConfigMapping(prefix = "floe")
public interface FloeConfig {
  @WithDefault(".floe")
  String home();

  default Path homePath() {
    return Path.of(home()).toAbsolutePath().normalize();
  }
}
