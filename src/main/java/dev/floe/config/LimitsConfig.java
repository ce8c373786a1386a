package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Per-run budgets: each has a server default (used when a request names none) and a cap (a request
 * asking for more is refused with 400 naming the cap, never silently clamped).
 */
@ConfigMapping(prefix = "floe.limits")
public interface LimitsConfig {
  /** Wall-clock limit of one run. */
  @WithDefault("300")
  int timeoutSeconds();

  @WithDefault("3600")
  int timeoutSecondsCap();

  /** Memory limit of one run's process tree. */
  @WithDefault("4096")
  int memoryMb();

  @WithDefault("16384")
  int memoryMbCap();

  /** Rows returned inline in a JSON response; the full count is still reported. */
  @WithDefault("10000")
  int maxRows();

  @WithDefault("1000000")
  int maxRowsCap();

  /** Bytes of a result the service accepts for a JSON response. */
  @WithDefault("268435456")
  long maxResultBytes();

  @WithDefault("2147483648")
  long maxResultBytesCap();

  /** Bytes of a run's stdout/stderr kept as its logs (head and tail, with a marker between). */
  @WithDefault("65536")
  int logBytes();
}
