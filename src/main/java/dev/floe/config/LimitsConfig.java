package dev.floe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Positive;

/**
 * Per-run budgets: each has a server default (used when a request names none) and a cap (a request
 * asking for more is refused with 400 naming the cap, never silently clamped). Every value is
 * positive and no default is above its own cap: otherwise start-up stops naming the setting.
 */
@ConfigMapping(prefix = "floe.limits")
public interface LimitsConfig {
  /** Wall-clock limit of one run. */
  @WithDefault("300")
  @Positive
  int timeoutSeconds();

  @WithDefault("3600")
  @Positive
  int timeoutSecondsCap();

  /** Memory limit of one run's process tree. */
  @WithDefault("4096")
  @Positive
  int memoryMb();

  @WithDefault("16384")
  @Positive
  int memoryMbCap();

  /** Rows returned inline in a JSON response; the full count is still reported. */
  @WithDefault("10000")
  @Positive
  int maxRows();

  @WithDefault("1000000")
  @Positive
  int maxRowsCap();

  /** Bytes of a result the service accepts for a JSON response. */
  @WithDefault("268435456")
  @Positive
  long maxResultBytes();

  @WithDefault("2147483648")
  @Positive
  long maxResultBytesCap();

  /** Bytes of a run's stdout/stderr kept as its logs (head and tail, with a marker between). */
  @WithDefault("65536")
  @Positive
  int logBytes();

  // A default above its cap would hand requests that ask for nothing more than they may ask for.
  @AssertTrue(
      message =
          "floe.limits.timeout-seconds is above floe.limits.timeout-seconds-cap; lower the"
              + " default or raise the cap")
  default boolean isTimeoutDefaultWithinCap() {
    return timeoutSeconds() <= timeoutSecondsCap();
  }

  @AssertTrue(
      message =
          "floe.limits.memory-mb is above floe.limits.memory-mb-cap; lower the default or raise"
              + " the cap")
  default boolean isMemoryDefaultWithinCap() {
    return memoryMb() <= memoryMbCap();
  }

  @AssertTrue(
      message =
          "floe.limits.max-rows is above floe.limits.max-rows-cap; lower the default or raise the"
              + " cap")
  default boolean isMaxRowsDefaultWithinCap() {
    return maxRows() <= maxRowsCap();
  }

  @AssertTrue(
      message =
          "floe.limits.max-result-bytes is above floe.limits.max-result-bytes-cap; lower the"
              + " default or raise the cap")
  default boolean isMaxResultBytesDefaultWithinCap() {
    return maxResultBytes() <= maxResultBytesCap();
  }
}
