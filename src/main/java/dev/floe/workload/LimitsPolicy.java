package dev.floe.workload;

import dev.floe.config.LimitsConfig;
import dev.floe.error.FloeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** Applies server defaults to a request's limits and refuses any above its cap. */
@ApplicationScoped
public class LimitsPolicy {
  private final LimitsConfig config;

  public LimitsPolicy(LimitsConfig config) {
    this.config = config;
  }

  /** Each argument is the client's value or null for the server default. */
  public RunLimits apply(
      Integer timeoutSeconds, Integer memoryMb, Integer maxRows, Long maxResultBytes) {
    int timeout =
        within(
            "timeoutSeconds", timeoutSeconds, config.timeoutSeconds(), config.timeoutSecondsCap());
    int memory = within("memoryMb", memoryMb, config.memoryMb(), config.memoryMbCap());
    int rows = within("maxRows", maxRows, config.maxRows(), config.maxRowsCap());
    long bytes =
        within(
            "maxResultBytes", maxResultBytes, config.maxResultBytes(), config.maxResultBytesCap());
    return new RunLimits(Duration.ofSeconds(timeout), memory, rows, bytes);
  }

  public LimitsConfig config() {
    return config;
  }

  private static int within(String name, Integer asked, int fallback, int cap) {
    return (int) within(name, asked == null ? null : asked.longValue(), fallback, cap);
  }

  private static long within(String name, Long asked, long fallback, long cap) {
    if (asked == null) {
      return fallback;
    }
    if (asked < 1) {
      throw FloeException.invalid(
          "Cannot use limits." + name + " = " + asked + ": it must be at least 1.");
    }
    if (asked > cap) {
      throw FloeException.invalid(
          "Cannot use limits."
              + name
              + " = "
              + asked
              + ": this server's cap is "
              + cap
              + "; ask for "
              + cap
              + " or less.");
    }
    return asked;
  }
}
