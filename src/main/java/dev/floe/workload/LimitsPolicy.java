package dev.floe.workload;

import dev.floe.config.LimitsConfig;
import dev.floe.config.QuotasConfig;
import dev.floe.error.FloeException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/** Applies server defaults to a request's limits and refuses any above its cap. */
@ApplicationScoped
public class LimitsPolicy {
  private final LimitsConfig config;
  private final QuotasConfig quotas;

  /**
   * The server's budgets, and a principal's own where {@code floe.quotas} gives it some ({@code
   * quotas} null: the same for every principal).
   */
  public LimitsPolicy(LimitsConfig config, QuotasConfig quotas) {
    this.config = config;
    this.quotas = quotas;
  }

  /** Each argument is the client's value or null for the server default. */
  public RunLimits apply(
      Integer timeoutSeconds, Integer memoryMb, Integer maxRows, Long maxResultBytes) {
    return apply(null, timeoutSeconds, memoryMb, maxRows, maxResultBytes);
  }

  /** As {@link #apply(Integer, Integer, Integer, Long)}, within {@code principal}'s budgets. */
  public RunLimits apply(
      String principal,
      Integer timeoutSeconds,
      Integer memoryMb,
      Integer maxRows,
      Long maxResultBytes) {
    QuotasConfig.Principal own =
        quotas == null || principal == null ? null : quotas.principals().get(principal);
    int timeout =
        within(
            "timeoutSeconds",
            timeoutSeconds,
            own == null
                ? config.timeoutSeconds()
                : own.timeoutSeconds().orElse(config.timeoutSeconds()),
            own == null
                ? config.timeoutSecondsCap()
                : own.timeoutSecondsCap().orElse(config.timeoutSecondsCap()),
            own != null && own.timeoutSecondsCap().isPresent() ? principal : null);
    int memory =
        within(
            "memoryMb",
            memoryMb,
            own == null ? config.memoryMb() : own.memoryMb().orElse(config.memoryMb()),
            own == null ? config.memoryMbCap() : own.memoryMbCap().orElse(config.memoryMbCap()),
            own != null && own.memoryMbCap().isPresent() ? principal : null);
    int rows = within("maxRows", maxRows, config.maxRows(), config.maxRowsCap(), null);
    long bytes =
        within(
            "maxResultBytes",
            maxResultBytes,
            config.maxResultBytes(),
            config.maxResultBytesCap(),
            null);
    return new RunLimits(Duration.ofSeconds(timeout), memory, rows, bytes);
  }

  public LimitsConfig config() {
    return config;
  }

  /** {@code capOf}: the principal whose own cap it is, or null for the server's. */
  private static int within(String name, Integer asked, int fallback, int cap, String capOf) {
    return (int) within(name, asked == null ? null : asked.longValue(), fallback, cap, capOf);
  }

  private static long within(String name, Long asked, long fallback, long cap, String capOf) {
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
              + (capOf == null ? ": this server's cap is " : ": the cap for " + capOf + " is ")
              + cap
              + "; ask for "
              + cap
              + " or less.");
    }
    return asked;
  }
}
