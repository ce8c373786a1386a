package dev.floe.runs;

import dev.floe.config.FloeConfig;
import dev.floe.config.LimitsConfig;
import dev.floe.config.QuotasConfig;
import dev.floe.config.ReplicaConfig;
import dev.floe.config.RunnersConfig;
import dev.floe.config.RunsConfig;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;

/** The real {@code floe.*} config mappings, with their defaults and a test's overrides. */
final class Mappings {
  private final SmallRyeConfig config;

  Mappings(Map<String, String> overrides) {
    config =
        new SmallRyeConfigBuilder()
            .withMapping(FloeConfig.class)
            .withMapping(RunsConfig.class)
            .withMapping(RunnersConfig.class)
            .withMapping(LimitsConfig.class)
            .withMapping(QuotasConfig.class)
            .withMapping(ReplicaConfig.class)
            .withDefaultValues(overrides)
            .build();
  }

  <T> T get(Class<T> mapping) {
    return config.getConfigMapping(mapping);
  }
}
